import { keepPreviousData, useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { api, must } from '../../api/client';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from '../../api/types';
import { fileNameOf, saveBlob } from '../../ui/download';
import { day, oneOf, text, urlFilters } from '../../ui/filterSpec';

/** The audit log's filters: the URL's query string and what `GET /audit` (and its export) takes. */
const auditFilters = urlFilters({
  actor_id: text(),
  entity_type: oneOf(AUDIT_ENTITY_TYPES),
  action: oneOf(AUDIT_ACTIONS),
  from: day(),
  to: day(),
});

export type AuditFilters = ReturnType<typeof auditFilters.parse>;
export const {
  parse: parseAuditFilters,
  toSearch: auditFiltersToSearch,
  toQuery: auditFiltersToQuery,
  activeCount: activeAuditFilterCount,
} = auditFilters;

export const auditKeys = {
  all: ['audit'] as const,
  list: (f: AuditFilters, limit: number) => ['audit', 'list', f, limit] as const,
};

/** The audit log, newest first, a page at a time (keyset). */
export function useAuditLog(filters: AuditFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(filters, limit),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/audit', {
          params: { query: { ...auditFiltersToQuery(filters), limit, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Downloads the entries the filters select as CSV, fetched with the session's token; answers the file's name. */
export function useExportAudit() {
  return useMutation({
    mutationFn: async (filters: AuditFilters) => {
      const res = await api.GET('/api/v1/audit/export', {
        params: { query: { ...auditFiltersToQuery(filters), format: 'csv' } },
        parseAs: 'blob',
      });
      const blob = must(res as { data?: Blob; response: Response });
      const filename = fileNameOf(res.response, 'audit.csv');
      saveBlob(blob, filename);
      return filename;
    },
  });
}
