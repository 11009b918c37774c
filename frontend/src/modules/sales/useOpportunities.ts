import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { Board, CreateOpportunity, Opportunity, Stage, UpdateOpportunity } from '../../api/types';
import { customerKeys } from '../customers/useCustomers';
import { appendColumnPage, cardsToLoad, findCard, moveCardOnBoard } from './board';
import { boardQuery, opportunityFiltersToQuery, type BoardFilters, type OpportunityFilters } from './filters';

export const opportunityKeys = {
  all: ['opportunities'] as const,
  lists: ['opportunities', 'list'] as const,
  list: (f: OpportunityFilters, limit: number) => ['opportunities', 'list', f, limit] as const,
  one: (id: string) => ['opportunities', 'one', id] as const,
  history: (id: string) => ['opportunities', 'history', id] as const,
  boards: ['opportunities', 'board'] as const,
  board: (pipelineId: string, f: BoardFilters) => ['opportunities', 'board', pipelineId, boardQuery(f)] as const,
};

/** After any change: lists, boards and the customer's timeline show it. */
function invalidateAround(qc: QueryClient, customerId: string | undefined) {
  void qc.invalidateQueries({ queryKey: opportunityKeys.all, predicate: (q) => q.queryKey[1] !== 'one' });
  if (customerId) void qc.invalidateQueries({ queryKey: customerKeys.timelineAll(customerId) });
}

/** Cursor-paged opportunities for the filters; `fetchNextPage` loads more. */
export function useOpportunityList(filters: OpportunityFilters, limit = 50, enabled = true) {
  return useInfiniteQuery({
    queryKey: opportunityKeys.list(filters, limit),
    enabled,
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/opportunities', {
          params: {
            query: {
              ...opportunityFiltersToQuery(filters),
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

export function useOpportunity(id: string, enabled = true) {
  return useQuery({
    queryKey: opportunityKeys.one(id),
    enabled,
    queryFn: async () => must(await api.GET('/api/v1/opportunities/{id}', { params: { path: { id } } })),
  });
}

/** The latest stored version of an opportunity (after a 412). */
export async function fetchOpportunity(id: string): Promise<Opportunity> {
  return must(await api.GET('/api/v1/opportunities/{id}', { params: { path: { id } } }));
}

export function useOpportunityHistory(id: string) {
  return useQuery({
    queryKey: opportunityKeys.history(id),
    queryFn: async () =>
      must(await api.GET('/api/v1/opportunities/{id}/stage-history', { params: { path: { id }, query: { limit: 200 } } })).data,
  });
}

export function useCreateOpportunity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateOpportunity) =>
      must(await postOnce('/api/v1/opportunities', { body })),
    onSuccess: (o) => {
      qc.setQueryData(opportunityKeys.one(o.id), o);
      invalidateAround(qc, o.customer_id);
    },
  });
}

/** A merge-patch guarded by the version the user saw (`If-Match`); a stale one fails with 412. */
export function useUpdateOpportunity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ opportunity, patch }: { opportunity: Opportunity; patch: UpdateOpportunity }) =>
      must(
        await api.PATCH('/api/v1/opportunities/{id}', {
          params: { path: { id: opportunity.id }, header: { 'If-Match': ifMatch(opportunity.version) } },
          body: patch,
        }),
      ),
    onSuccess: (o) => {
      qc.setQueryData(opportunityKeys.one(o.id), o);
      invalidateAround(qc, o.customer_id);
    },
  });
}

export function useDeleteOpportunity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (o: Opportunity) => {
      await api.DELETE('/api/v1/opportunities/{id}', { params: { path: { id: o.id }, header: { 'If-Match': ifMatch(o.version) } } });
    },
    onSuccess: (_v, o) => {
      qc.removeQueries({ queryKey: opportunityKeys.one(o.id) });
      invalidateAround(qc, o.customer_id);
    },
  });
}

export interface MoveArgs {
  opportunity: Opportunity;
  to: Stage;
  loss_reason?: string;
  /** Needed to move a won or lost opportunity back (or on). */
  reopen?: boolean;
}

/**
 * Moves an opportunity to another stage (`If-Match` its version). The boards show the move at
 * once; when the server refuses it (409, 412, 422…) they are put back as they were.
 */
export function useMoveOpportunity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ opportunity, to, loss_reason, reopen }: MoveArgs) =>
      must(
        await api.POST('/api/v1/opportunities/{id}/stage', {
          params: { path: { id: opportunity.id }, header: { 'If-Match': ifMatch(opportunity.version) } },
          body: { stage_id: to.id, ...(loss_reason !== undefined ? { loss_reason } : {}), ...(reopen ? { reopen: true } : {}) },
        }),
      ),
    onMutate: async ({ opportunity, to }) => {
      await qc.cancelQueries({ queryKey: opportunityKeys.boards });
      const snapshots = qc.getQueriesData<Board>({ queryKey: opportunityKeys.boards });
      qc.setQueriesData<Board>({ queryKey: opportunityKeys.boards }, (b) => (b ? moveCardOnBoard(b, opportunity.id, to) : b));
      return { snapshots };
    },
    onError: (_e, _v, context) => {
      for (const [key, data] of context?.snapshots ?? []) qc.setQueryData(key, data);
    },
    onSuccess: (o) => {
      qc.setQueryData(opportunityKeys.one(o.id), o);
      // the server's copy (version, probability, weighted amount) replaces the optimistic one
      qc.setQueriesData<Board>({ queryKey: opportunityKeys.boards }, (b) =>
        b && findCard(b, o.id) ? { ...b, columns: b.columns.map((c) => ({ ...c, cards: c.cards.map((x) => (x.id === o.id ? o : x)) })) } : b,
      );
    },
    onSettled: (_o, _e, { opportunity }) => {
      invalidateAround(qc, opportunity.customer_id);
      void qc.invalidateQueries({ queryKey: opportunityKeys.history(opportunity.id) });
    },
  });
}

/** A pipeline's board for the filters; a refresh keeps as many cards per column as were loaded. */
export function useBoard(pipelineId: string | undefined, filters: BoardFilters) {
  const qc = useQueryClient();
  const key = opportunityKeys.board(pipelineId ?? '', filters);
  return useQuery({
    queryKey: key,
    enabled: Boolean(pipelineId),
    placeholderData: keepPreviousData,
    queryFn: async (): Promise<Board> =>
      // the generated type is the requirements board's (a schema name both share): see `Board` in api/types
      must(
        await api.GET('/api/v1/pipelines/{id}/board', {
          params: { path: { id: pipelineId ?? '' }, query: { ...boardQuery(filters), cards: cardsToLoad(qc.getQueryData<Board>(key)) } },
        }),
      ) as unknown as Board,
  });
}

/** Loads a column's next cards into the board (`GET /opportunities?pipeline_id&stage_id&cursor`). */
export function useLoadMoreCards(pipelineId: string, filters: BoardFilters) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ stageId, cursor }: { stageId: string; cursor: string }) =>
      must(
        await api.GET('/api/v1/opportunities', {
          params: { query: { ...boardQuery(filters), pipeline_id: pipelineId, stage_id: stageId, sort: '-updated_at', limit: 20, cursor } },
        }),
      ),
    onSuccess: (page, { stageId }) => {
      qc.setQueryData<Board>(opportunityKeys.board(pipelineId, filters), (b) => (b ? appendColumnPage(b, stageId, page.data, page.next_cursor) : b));
    },
  });
}
