import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must } from '../../../api/client';
import type { components } from '../../../api/generated/schema';
import { submitOnce } from '../../../api/idempotency';
import { fileNameOf, saveBlob } from '../../../ui/download';
import { customerKeys } from '../useCustomers';
import { isBusy, type ImportPhase } from './logic';

export type Import = components['schemas']['ImportDto'];
export type ImportField = components['schemas']['ImportField'];
export type ImportRow = components['schemas']['ImportRowDto'];
export type ImportRowError = components['schemas']['ImportRowErrorDto'];
export type ImportStatus = components['schemas']['ImportStatus'];
export type DuplicateHandling = components['schemas']['DuplicateHandling'];
export type MatchKey = components['schemas']['MatchKey'];
export type RowAction = components['schemas']['RowAction'];
export type ImportSettings = components['schemas']['UpdateImport'];

interface Page<T> {
  data: T[];
  next_cursor?: string | null;
  total?: number | null;
}

/** How often a busy import (checking, running, reverting) is read again. */
export const POLL_MS = 1000;

/** Under `customers`: a run or a revert changes customers, and every customer cache is read again with them. */
export const importKeys = {
  all: ['customers', 'imports'] as const,
  list: () => ['customers', 'imports', 'list'] as const,
  one: (id: string) => ['customers', 'imports', 'one', id] as const,
  fields: () => ['customers', 'imports', 'fields'] as const,
  rows: (id: string, phase: ImportPhase, action?: RowAction) => ['customers', 'imports', 'rows', id, phase, action ?? 'all'] as const,
};

/** The fields a column can fill: the customers' own, `owner_email`, `external_id` and the custom ones (`cf.<key>`). */
export function useImportFields() {
  return useQuery({
    queryKey: importKeys.fields(),
    staleTime: 60_000,
    queryFn: async (): Promise<ImportField[]> => must(await api.GET('/api/v1/imports/fields', { params: { query: { entity: 'customers' } } })),
  });
}

/** An import, read again every second while its background work runs. */
export function useImport(id: string | undefined) {
  return useQuery({
    queryKey: importKeys.one(id ?? ''),
    enabled: Boolean(id),
    staleTime: 0,
    queryFn: async (): Promise<Import> => must(await api.GET('/api/v1/imports/{id}', { params: { path: { id: id ?? '' } } })),
    refetchInterval: (query) => (query.state.data && isBusy(query.state.data.status) ? POLL_MS : false),
  });
}

/** The caller's imports (an administrator's: everyone's), newest first; read again while one of them is busy. */
export function useImportList(limit = 20) {
  return useInfiniteQuery({
    queryKey: importKeys.list(),
    initialPageParam: null as string | null,
    staleTime: 0,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }): Promise<Page<Import>> =>
      must(await api.GET('/api/v1/imports', { params: { query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.data.some((i) => isBusy(i.status))) ? POLL_MS * 2 : false),
  });
}

/** The outcomes of a dry run's or the run's rows, optionally of one action, a page at a time. */
export function useImportRows(id: string, phase: ImportPhase, action?: RowAction, enabled = true, limit = 50) {
  return useInfiniteQuery({
    queryKey: importKeys.rows(id, phase, action),
    enabled,
    initialPageParam: null as string | null,
    staleTime: 0,
    queryFn: async ({ pageParam }): Promise<Page<ImportRow>> =>
      must(
        await api.GET('/api/v1/imports/{id}/rows', {
          params: { path: { id }, query: { phase, limit, ...(action ? { action } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Every row of the run, the pages read one after another (for the records a revert left alone). */
export function useAllRunRows(id: string, enabled: boolean) {
  return useQuery({
    queryKey: [...importKeys.rows(id, 'run'), 'every'] as const,
    enabled,
    staleTime: 0,
    queryFn: async (): Promise<ImportRow[]> => {
      const rows: ImportRow[] = [];
      let cursor: string | null = null;
      for (;;) {
        const page: Page<ImportRow> = must(
          await api.GET('/api/v1/imports/{id}/rows', { params: { path: { id }, query: { phase: 'run', limit: 200, ...(cursor ? { cursor } : {}) } } }),
        );
        rows.push(...page.data);
        cursor = page.next_cursor ?? null;
        if (!cursor) return rows;
      }
    },
  });
}

/** Sends the file as it is (CSV or XLSX); the answer proposes a mapping from its headers. */
export async function uploadImport(file: File): Promise<Import> {
  const submission = { name: file.name, size: file.size, lastModified: file.lastModified };
  return submitOnce('POST /api/v1/imports', submission, async (key) =>
    must(
      await api.POST('/api/v1/imports', {
        params: { query: { entity: 'customers', file_name: file.name }, header: key },
        // the body is the file's bytes, not JSON
        body: file as unknown as number[],
        bodySerializer: (body: unknown) => body as BodyInit,
        headers: { 'Content-Type': 'application/octet-stream' },
      }),
    ),
  );
}

export function useUploadImport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: uploadImport,
    onSuccess: (imp) => {
      qc.setQueryData(importKeys.one(imp.id), imp);
      void qc.invalidateQueries({ queryKey: importKeys.list() });
    },
  });
}

/** Saves the mapping and the duplicate handling (a checked import is `uploaded` again). */
export function useConfigureImport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ imp, settings }: { imp: Import; settings: ImportSettings }): Promise<Import> =>
      must(
        await api.PATCH('/api/v1/imports/{id}', {
          params: { path: { id: imp.id }, header: { 'If-Match': ifMatch(imp.version) } },
          body: settings,
        }),
      ),
    onSuccess: (imp) => qc.setQueryData(importKeys.one(imp.id), imp),
  });
}

export type ImportCommand = 'dry-run' | 'run' | 'cancel' | 'revert';

async function command(imp: Import, what: ImportCommand): Promise<Import> {
  const path = { id: imp.id };
  const header = { 'If-Match': ifMatch(imp.version) };
  switch (what) {
    case 'dry-run':
      return must(await api.POST('/api/v1/imports/{id}/dry-run', { params: { path, header } }));
    case 'run':
      return must(await api.POST('/api/v1/imports/{id}/run', { params: { path, header } }));
    case 'revert':
      return must(await api.POST('/api/v1/imports/{id}/revert', { params: { path, header } }));
    case 'cancel':
      return must(await api.POST('/api/v1/imports/{id}/cancel', { params: { path } }));
  }
}

/**
 * Starts a dry run, the run or a revert, or asks a running one to stop: the answer (a busy
 * import) goes into the cache, whose polling then follows the work. A run or a revert changes
 * customers: every customer list is read again.
 */
export function useImportCommand() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ imp, what }: { imp: Import; what: ImportCommand }) => command(imp, what),
    onSuccess: (imp, { what }) => {
      qc.setQueryData(importKeys.one(imp.id), imp);
      void qc.invalidateQueries({ queryKey: [...importKeys.all, 'rows', imp.id] });
      void qc.invalidateQueries({ queryKey: importKeys.list() });
      if (what === 'run' || what === 'revert') void qc.invalidateQueries({ queryKey: customerKeys.all, predicate: (q) => q.queryKey[1] !== 'imports' });
    },
  });
}

/** The rows' outcomes as a CSV file (the server's, in the UI's language), saved through the browser. */
export async function downloadReport(id: string, phase: ImportPhase, action?: RowAction): Promise<string> {
  const res = await api.GET('/api/v1/imports/{id}/rows/export', {
    params: { path: { id }, query: { phase, ...(action ? { action } : {}) } },
    parseAs: 'blob',
  });
  const blob = must(res as { data?: Blob; response: Response });
  const filename = fileNameOf(res.response, `import-${id}-${phase}.csv`);
  saveBlob(blob, filename);
  return filename;
}

export function useDownloadReport() {
  return useMutation({
    mutationFn: ({ id, phase, action }: { id: string; phase: ImportPhase; action?: RowAction }) => downloadReport(id, phase, action),
  });
}
