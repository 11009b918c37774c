import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateCustomField, CustomEntity, CustomField, UpdateCustomField } from '../../api/types';

export const customFieldKeys = {
  all: ['custom-fields'] as const,
  of: (entity: CustomEntity) => ['custom-fields', entity] as const,
};

/** The most fields a kind of record has (the API's page limit); one page holds them all. */
const LIMIT = 200;

/**
 * The custom fields of one kind of record, by position, retired ones included (forms leave them out,
 * detail pages still show their values): one request per kind, shared by every form, list and page.
 */
export function useCustomFields(entity: CustomEntity, enabled = true) {
  return useQuery({
    queryKey: customFieldKeys.of(entity),
    enabled,
    staleTime: 60_000,
    queryFn: async () =>
      must(await api.GET('/api/v1/custom-fields', { params: { query: { entity, include_retired: true, limit: LIMIT } } })).data,
  });
}

/** Reads one definition afresh (the latest version after a 412). */
export async function fetchCustomField(id: string): Promise<CustomField> {
  return must(await api.GET('/api/v1/custom-fields/{id}', { params: { path: { id } } }));
}

export function useCreateCustomField() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateCustomField): Promise<CustomField> => must(await postOnce('/api/v1/custom-fields', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: customFieldKeys.all }),
  });
}

/** Patches a definition guarded by the version seen (`If-Match`); a stale one fails with 412. */
export function useUpdateCustomField() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ field, patch }: { field: CustomField; patch: UpdateCustomField }): Promise<CustomField> =>
      must(
        await api.PATCH('/api/v1/custom-fields/{id}', {
          params: { path: { id: field.id }, header: { 'If-Match': ifMatch(field.version) } },
          body: patch,
        }),
      ),
    onSuccess: () => void qc.invalidateQueries({ queryKey: customFieldKeys.all }),
  });
}

/** Retires a field: it leaves the forms, records keep their values, new values are refused. */
export function useRetireCustomField() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (field: CustomField) => {
      await api.DELETE('/api/v1/custom-fields/{id}', { params: { path: { id: field.id }, header: { 'If-Match': ifMatch(field.version) } } });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: customFieldKeys.all }),
  });
}

export function useRestoreCustomField() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (field: CustomField): Promise<CustomField> =>
      must(await api.POST('/api/v1/custom-fields/{id}/restore', { params: { path: { id: field.id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: customFieldKeys.all }),
  });
}
