import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type {
  AddRequester, CreateRequirement, GiveFeedback, PriorityWeights, Requirement, RequirementBoard, RequirementStatus, UpdateRequirement,
} from '../../api/types';
import { fileNameOf, saveBlob } from '../../ui/download';
import { requirementFiltersToQuery, type RequirementFilters } from './filters';

export const requirementKeys = {
  all: ['requirements'] as const,
  list: (f: RequirementFilters, limit: number) => ['requirements', 'list', f, limit] as const,
  board: (f: RequirementFilters) => ['requirements', 'board', f] as const,
  releases: ['requirements', 'releases'] as const,
  one: (id: string) => ['requirements', 'one', id] as const,
  requesters: (id: string) => ['requirements', 'requesters', id] as const,
  duplicates: (id: string) => ['requirements', 'duplicates', id] as const,
  similar: (title: string, description: string) => ['requirements', 'similar', title, description] as const,
  feedback: (id: string) => ['requirements', 'feedback', id] as const,
  history: (id: string) => ['requirements', 'history', id] as const,
  revisions: (id: string) => ['requirements', 'revisions', id] as const,
  ticket: (ticketId: string) => ['requirements', 'ticket', ticketId] as const,
  report: ['requirements', 'report'] as const,
  settings: ['requirements', 'settings'] as const,
};

/** Anything about requirements may have changed: lists, board, releases, a record's panels, the report. */
function invalidateAll(qc: QueryClient) {
  void qc.invalidateQueries({ queryKey: requirementKeys.all });
}

function stored(qc: QueryClient, r: Requirement) {
  qc.setQueryData(requirementKeys.one(r.id), r);
  invalidateAll(qc);
}

/** The ranked list: cursor-paged, `-score` first by default; `fetchNextPage` loads more. */
export function useRequirementList(filters: RequirementFilters, limit = 50, enabled = true) {
  return useInfiniteQuery({
    queryKey: requirementKeys.list(filters, limit),
    enabled,
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/requirements', {
          params: {
            query: { ...requirementFiltersToQuery(filters), limit, include_total: pageParam === null, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** The board: a column per status with its count, first cards and a cursor. */
export function useRequirementBoard(filters: RequirementFilters) {
  return useQuery({
    queryKey: requirementKeys.board(filters),
    placeholderData: keepPreviousData,
    queryFn: async () => must(await api.GET('/api/v1/requirements/board', { params: { query: requirementFiltersToQuery(filters) } })),
  });
}

/** Loads a board column's next cards (`GET /requirements?status=…&cursor=…`) into the cached board. */
export function useLoadMoreColumn(filters: RequirementFilters) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ status, cursor }: { status: RequirementStatus; cursor: string }) =>
      must(
        await api.GET('/api/v1/requirements', {
          params: { query: { ...requirementFiltersToQuery({ ...filters, status: [status], sort: '-score' }), cursor, limit: 20 } },
        }),
      ),
    onSuccess: (page, { status }) =>
      qc.setQueryData<RequirementBoard>(requirementKeys.board(filters), (b) => b && appendToColumn(b, status, page.data, page.next_cursor ?? null)),
  });
}

/** A board with a column's next page appended (cards already there are not repeated). */
export function appendToColumn(b: RequirementBoard, status: RequirementStatus, items: Requirement[], next: string | null): RequirementBoard {
  return {
    ...b,
    columns: b.columns.map((c) => {
      if (c.status !== status) return c;
      const seen = new Set(c.items.map((x) => x.id));
      return { ...c, items: [...c.items, ...items.filter((x) => !seen.has(x.id))], next_cursor: next };
    }),
  };
}

export function useReleases() {
  return useQuery({
    queryKey: requirementKeys.releases,
    queryFn: async () => must(await api.GET('/api/v1/requirements/releases')).data,
  });
}

export async function fetchRequirement(id: string): Promise<Requirement> {
  return must(await api.GET('/api/v1/requirements/{id}', { params: { path: { id } } }));
}

export function useRequirement(id: string) {
  return useQuery({ queryKey: requirementKeys.one(id), queryFn: () => fetchRequirement(id) });
}

export function useCreateRequirement() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateRequirement) =>
      must(await postOnce('/api/v1/requirements', { body })),
    onSuccess: (r) => stored(qc, r),
  });
}

export function useUpdateRequirement() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ requirement, patch }: { requirement: Requirement; patch: UpdateRequirement }) =>
      must(
        await api.PATCH('/api/v1/requirements/{id}', {
          params: { path: { id: requirement.id }, header: { 'If-Match': ifMatch(requirement.version) } },
          body: patch,
        }),
      ),
    onSuccess: (r) => stored(qc, r),
  });
}

export function useDeleteRequirement() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (r: Requirement) => {
      await api.DELETE('/api/v1/requirements/{id}', { params: { path: { id: r.id }, header: { 'If-Match': ifMatch(r.version) } } });
    },
    onSuccess: () => invalidateAll(qc),
  });
}

/**
 * Moves a requirement (`If-Match`). `patch` (owner, target date) is saved first when planning asks for it, and the
 * move then carries the new version. A move the process does not allow answers 409.
 */
export function useMoveRequirement() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ requirement, status, reason, patch }: { requirement: Requirement; status: RequirementStatus; reason?: string; patch?: UpdateRequirement }) => {
      let current = requirement;
      if (patch && Object.keys(patch).length > 0) {
        current = must(
          await api.PATCH('/api/v1/requirements/{id}', {
            params: { path: { id: current.id }, header: { 'If-Match': ifMatch(current.version) } },
            body: patch,
          }),
        );
        qc.setQueryData(requirementKeys.one(current.id), current);
      }
      return must(
        await api.POST('/api/v1/requirements/{id}/status', {
          params: { path: { id: current.id }, header: { 'If-Match': ifMatch(current.version) } },
          body: { status, ...(reason ? { reason } : {}) },
        }),
      );
    },
    onSuccess: (r) => stored(qc, r),
    onError: () => invalidateAll(qc),
  });
}

export function useRequesters(id: string) {
  return useInfiniteQuery({
    queryKey: requirementKeys.requesters(id),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/requirements/{id}/requesters', {
          params: { path: { id }, query: { limit: 100, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useAddRequester() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: AddRequester }) =>
      must(await postOnce('/api/v1/requirements/{id}/requesters', { params: { path: { id } }, body })),
    onSuccess: () => invalidateAll(qc),
  });
}

export function useRemoveRequester() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, requesterId }: { id: string; requesterId: string }) => {
      await api.DELETE('/api/v1/requirements/{id}/requesters/{requester_id}', { params: { path: { id, requester_id: requesterId } } });
    },
    onSuccess: () => invalidateAll(qc),
  });
}

/** Possible duplicates of a requirement. */
export function useDuplicates(id: string, enabled = true) {
  return useQuery({
    queryKey: requirementKeys.duplicates(id),
    enabled,
    queryFn: async () => must(await api.GET('/api/v1/requirements/{id}/duplicates', { params: { path: { id } } })).data,
  });
}

/** Open requirements that read like a title (and description) being typed; off below two characters. */
export function useSimilarRequirements(title: string, description = '') {
  const t = title.trim();
  return useQuery({
    queryKey: requirementKeys.similar(t, description.trim()),
    enabled: t.length >= 2,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      must(
        await api.GET('/api/v1/requirements/duplicates', {
          params: { query: { title: t, ...(description.trim() ? { description: description.trim() } : {}) } },
        }),
      ).data,
  });
}

/** Merges `duplicateId` into `survivorId`: its requesters, links and feedback move to the survivor. */
export function useMergeRequirement() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ survivorId, duplicateId }: { survivorId: string; duplicateId: string }) =>
      must(await api.POST('/api/v1/requirements/{id}/merge', { params: { path: { id: survivorId } }, body: { duplicate_id: duplicateId } })),
    onSuccess: (res) => stored(qc, res.survivor),
  });
}

export function useFeedback(id: string) {
  return useQuery({
    queryKey: requirementKeys.feedback(id),
    queryFn: async () => must(await api.GET('/api/v1/requirements/{id}/feedback', { params: { path: { id }, query: { limit: 200 } } })).data,
  });
}

/** Records a requester's rating; the answer's requirement is `evaluated` once every requester answered. */
export function useGiveFeedback() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: GiveFeedback }) =>
      must(await postOnce('/api/v1/requirements/{id}/feedback', { params: { path: { id } }, body })),
    onSuccess: (res) => stored(qc, res.requirement),
  });
}

export function useStatusHistory(id: string) {
  return useQuery({
    queryKey: requirementKeys.history(id),
    queryFn: async () => must(await api.GET('/api/v1/requirements/{id}/history', { params: { path: { id } } })).data,
  });
}

export function useRevisions(id: string) {
  return useInfiniteQuery({
    queryKey: requirementKeys.revisions(id),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/requirements/{id}/revisions', {
          params: { path: { id }, query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** The requirements linked to a ticket. */
export function useTicketRequirements(ticketId: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: requirementKeys.ticket(ticketId),
    enabled,
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/tickets/{id}/requirements', {
          params: { path: { id: ticketId }, query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useRequirementsReport() {
  return useQuery({ queryKey: requirementKeys.report, queryFn: async () => must(await api.GET('/api/v1/reports/requirements')) });
}

/** The weights and the ETag (their version) a change must send back as `If-Match`. */
export function useRequirementSettings(enabled = true) {
  return useQuery({
    queryKey: requirementKeys.settings,
    enabled,
    queryFn: async () => {
      const res = await api.GET('/api/v1/settings/requirements');
      return { settings: must(res), etag: res.response.headers.get('ETag') };
    },
  });
}

export function useSaveWeights() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ weights, etag }: { weights: PriorityWeights; etag: string | null }) => {
      const res = await api.PUT('/api/v1/settings/requirements', { params: { header: etag ? { 'If-Match': etag } : {} }, body: { weights } });
      return { settings: must(res), etag: res.response.headers.get('ETag') };
    },
    onSuccess: (saved) => {
      qc.setQueryData(requirementKeys.settings, saved);
      // every requirement was re-scored
      void qc.invalidateQueries({ queryKey: requirementKeys.all, predicate: (q) => q.queryKey[1] !== 'settings' });
    },
  });
}

/** The requirements document of a customer or a release as Markdown, fetched with the session's token. */
export async function fetchRequirementsDocument(by: { customer_id: string } | { release: string }): Promise<{ blob: Blob; filename: string }> {
  const res = await api.GET('/api/v1/requirements/export', { params: { query: { ...by, format: 'markdown' } }, parseAs: 'blob' });
  const blob = must(res as { data?: Blob; response: Response });
  return { blob, filename: fileNameOf(res.response, 'requirements.md') };
}

/** Downloads the document: a temporary object URL and a link click (a bare link would not carry the token). */
export function useExportDocument() {
  return useMutation({
    mutationFn: async (by: { customer_id: string } | { release: string }) => {
      const { blob, filename } = await fetchRequirementsDocument(by);
      saveBlob(blob, filename);
      return filename;
    },
  });
}
