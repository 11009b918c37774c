import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { must } from '../../../api/client';
import { portalApi, portalPostOnce } from '../../../api/portalClient';
import type { PortalCreateTicket, PortalRating, PortalTicket } from '../../../api/types';
import { portalKeys } from './usePortalSession';

/** Which tickets the list shows: still open, solved (resolved or closed), or all. */
export const PORTAL_TICKET_VIEWS = ['open', 'done', 'all'] as const;
export type PortalTicketView = (typeof PORTAL_TICKET_VIEWS)[number];
const VIEW_STATUSES: Record<PortalTicketView, string | undefined> = {
  open: 'new,in_progress,waiting_customer',
  done: 'resolved,closed',
  all: undefined,
};

/** The customer's tickets, newest first; `fetchNextPage` loads more. */
export function usePortalTickets(view: PortalTicketView, limit = 20) {
  const status = VIEW_STATUSES[view];
  return useInfiniteQuery({
    queryKey: portalKeys.ticketList(view),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await portalApi.GET('/api/v1/portal/tickets', {
          params: { query: { limit, ...(status ? { status } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function usePortalTicket(id: string) {
  return useQuery({
    queryKey: portalKeys.ticket(id),
    queryFn: async () => must(await portalApi.GET('/api/v1/portal/tickets/{id}', { params: { path: { id } } })),
  });
}

function stored(qc: ReturnType<typeof useQueryClient>, t: PortalTicket) {
  qc.setQueryData(portalKeys.ticket(t.id), t);
  void qc.invalidateQueries({ queryKey: portalKeys.tickets, predicate: (q) => q.queryKey[2] === 'list' });
}

export function useOpenPortalTicket() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: PortalCreateTicket) =>
      must(await portalPostOnce('/api/v1/portal/tickets', { body })),
    onSuccess: (t) => stored(qc, t),
  });
}

/** The public conversation, oldest first. */
export function usePortalComments(ticketId: string, limit = 100) {
  return useInfiniteQuery({
    queryKey: portalKeys.comments(ticketId),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      must(
        await portalApi.GET('/api/v1/portal/tickets/{id}/comments', {
          params: { path: { id: ticketId }, query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** The customer's reply; a ticket waiting for them goes back to the team, so the ticket is refetched too. */
export function usePortalReply(ticketId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: string) =>
      must(await portalPostOnce('/api/v1/portal/tickets/{id}/comments', { params: { path: { id: ticketId } }, body: { body } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: portalKeys.comments(ticketId) });
      void qc.invalidateQueries({ queryKey: portalKeys.ticket(ticketId) });
      void qc.invalidateQueries({ queryKey: portalKeys.tickets, predicate: (q) => q.queryKey[2] === 'list' });
    },
  });
}

/** Rates the service once the ticket is resolved. */
export function usePortalRate(ticketId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: PortalRating) =>
      must(await portalPostOnce('/api/v1/portal/tickets/{id}/rating', { params: { path: { id: ticketId } }, body })),
    onSuccess: (t) => stored(qc, t),
  });
}

// ---------------------------------------------------------------- help centre

export function usePortalCategories() {
  return useQuery({
    queryKey: portalKeys.categories,
    staleTime: 5 * 60_000,
    queryFn: async () => must(await portalApi.GET('/api/v1/portal/kb/categories')).data,
  });
}

/** Public, published articles for a search; `fetchNextPage` loads more. */
export function usePortalArticles(query: { q?: string; category_id?: string }, { limit = 10, enabled = true } = {}) {
  const q: Record<string, string> = {};
  if (query.q) q.q = query.q;
  if (query.category_id) q.category_id = query.category_id;
  return useInfiniteQuery({
    queryKey: portalKeys.articles(q),
    enabled,
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(await portalApi.GET('/api/v1/portal/kb/articles', { params: { query: { ...q, limit, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/**
 * A public article, read once per visit and counted as one view (`count_view=true`); it is not
 * refetched behind the reader's back.
 */
export function usePortalArticle(id: string) {
  return useQuery({
    queryKey: portalKeys.article(id),
    staleTime: Infinity,
    refetchOnMount: false,
    queryFn: async () => must(await portalApi.GET('/api/v1/portal/kb/articles/{id}', { params: { path: { id }, query: { count_view: true } } })),
  });
}

export function usePortalVote() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, helpful }: { id: string; helpful: boolean }) =>
      must(await portalApi.POST('/api/v1/portal/kb/articles/{id}/votes', { params: { path: { id } }, body: { helpful } })),
    onSuccess: (a) => qc.setQueryData(portalKeys.article(a.id), a),
  });
}
