import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { ApiKey, CreateApiKey, IssuedApiKey, UpdateApiKey } from '../../api/types';

export const apiKeyKeys = { all: ['api-keys'] as const };

/** The API keys, newest first, a page at a time. */
export function useApiKeys(limit = 50) {
  return useInfiniteQuery({
    queryKey: [...apiKeyKeys.all, 'list', limit],
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(await api.GET('/api/v1/api-keys', { params: { query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Reads one key afresh (the latest version after a 412). */
export async function fetchApiKey(id: string): Promise<ApiKey> {
  return must(await api.GET('/api/v1/api-keys/{id}', { params: { path: { id } } }));
}

/** Makes a key; the answer holds the secret, the one time it is shown. */
export function useCreateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateApiKey): Promise<IssuedApiKey> => must(await postOnce('/api/v1/api-keys', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

/** Merge-patches a key guarded by the version the admin saw (`If-Match`). */
export function useUpdateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ key, patch }: { key: ApiKey; patch: UpdateApiKey }): Promise<ApiKey> =>
      must(
        await api.PATCH('/api/v1/api-keys/{id}', {
          params: { path: { id: key.id }, header: { 'If-Match': ifMatch(key.version) } },
          body: patch,
        }),
      ),
    onSuccess: () => void qc.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

/** Replaces a key with a new one; the old one keeps working for `overlap_minutes`. */
export function useRotateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ key, overlap_minutes }: { key: ApiKey; overlap_minutes: number }): Promise<IssuedApiKey> =>
      must(
        await postOnce('/api/v1/api-keys/{id}/rotate', {
          params: { path: { id: key.id }, header: { 'If-Match': ifMatch(key.version) } },
          body: { overlap_minutes },
        }),
      ),
    onSuccess: () => void qc.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

/** Revokes a key: it stops working at once; the record stays for the audit trail. */
export function useRevokeApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (key: ApiKey) => {
      await api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id: key.id }, header: { 'If-Match': ifMatch(key.version) } } });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}
