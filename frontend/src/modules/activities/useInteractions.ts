import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateInteraction, Interaction, UpdateInteraction } from '../../api/types';
import { customerKeys } from '../customers/useCustomers';
import { interactionFiltersToQuery, type InteractionFilters } from './filters';

export const interactionKeys = {
  all: ['interactions'] as const,
  list: (f: InteractionFilters, limit: number) => ['interactions', 'list', f, limit] as const,
};

/** What a logged, changed or removed interaction makes stale: lists, the customer's timeline and last contact. */
function invalidateAround(qc: QueryClient, customerId: string) {
  void qc.invalidateQueries({ queryKey: interactionKeys.all });
  void qc.invalidateQueries({ queryKey: customerKeys.timelineAll(customerId) });
  void qc.invalidateQueries({ queryKey: customerKeys.one(customerId) });
}

/** Cursor-paged interaction list for the filters; `fetchNextPage` loads more. */
export function useInteractionList(filters: InteractionFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: interactionKeys.list(filters, limit),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/interactions', {
          params: {
            query: {
              ...interactionFiltersToQuery(filters),
              limit,
              include_total: pageParam === null,
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useCreateInteraction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateInteraction) =>
      must(await postOnce('/api/v1/interactions', { body })),
    onSuccess: (i) => invalidateAround(qc, i.customer_id),
  });
}

/** A merge-patch guarded by the version the user saw (`If-Match`); a stale one fails with 412. */
export function useUpdateInteraction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ interaction, patch }: { interaction: Interaction; patch: UpdateInteraction }) =>
      must(
        await api.PATCH('/api/v1/interactions/{id}', {
          params: { path: { id: interaction.id }, header: { 'If-Match': ifMatch(interaction.version) } },
          body: patch,
        }),
      ),
    onSuccess: (i) => invalidateAround(qc, i.customer_id),
  });
}

export function useDeleteInteraction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (i: Interaction) => {
      await api.DELETE('/api/v1/interactions/{id}', { params: { path: { id: i.id }, header: { 'If-Match': ifMatch(i.version) } } });
    },
    onSuccess: (_v, i) => invalidateAround(qc, i.customer_id),
  });
}

export function useRestoreInteraction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => must(await api.POST('/api/v1/interactions/{id}/restore', { params: { path: { id } } })),
    onSuccess: (i) => invalidateAround(qc, i.customer_id),
  });
}

/** The latest stored version of an interaction (after a 412). */
export async function fetchInteraction(id: string): Promise<Interaction> {
  return must(await api.GET('/api/v1/interactions/{id}', { params: { path: { id } } }));
}
