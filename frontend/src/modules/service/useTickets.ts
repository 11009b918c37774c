import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { AssignTicket, CreateTicket, CreateTicketComment, MoveTicket, Ticket, TicketStatus } from '../../api/types';
import { customerKeys } from '../customers/useCustomers';
import { ticketFiltersToQuery, type TicketFilters } from './filters';

export const ticketKeys = {
  all: ['tickets'] as const,
  list: (f: TicketFilters, limit: number) => ['tickets', 'list', f, limit] as const,
  one: (id: string) => ['tickets', 'one', id] as const,
  comments: (id: string) => ['tickets', 'comments', id] as const,
};

/** A ticket's change shows in the lists, on its page and on its customer's timeline. */
function invalidateAround(qc: QueryClient, t: Pick<Ticket, 'id' | 'customer_id'>) {
  void qc.invalidateQueries({ queryKey: ticketKeys.all, predicate: (q) => q.queryKey[1] === 'list' });
  void qc.invalidateQueries({ queryKey: customerKeys.timelineAll(t.customer_id) });
}

function stored(qc: QueryClient, t: Ticket) {
  qc.setQueryData(ticketKeys.one(t.id), t);
  invalidateAround(qc, t);
}

/** The queue: cursor-paged tickets, newest first, for the view and filters; `fetchNextPage` loads more. */
export function useTicketList(filters: TicketFilters, limit = 50, enabled = true) {
  return useInfiniteQuery({
    queryKey: ticketKeys.list(filters, limit),
    enabled,
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/tickets', {
          params: {
            query: { ...ticketFiltersToQuery(filters), limit, include_total: pageParam === null, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useTicket(id: string) {
  return useQuery({
    queryKey: ticketKeys.one(id),
    queryFn: async () => must(await api.GET('/api/v1/tickets/{id}', { params: { path: { id } } })),
  });
}

export function useCreateTicket() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateTicket) =>
      must(await postOnce('/api/v1/tickets', { body })),
    onSuccess: (t) => stored(qc, t),
  });
}

/**
 * Moves a ticket to another status (`If-Match`); a move the process does not allow answers 409. A
 * close carries its reason in `close`; closing a ticket that was never resolved without one answers
 * 422 `ticket.close_reason_required`.
 */
export function useMoveTicket() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ ticket, status, close }: { ticket: Ticket; status: TicketStatus; close?: Omit<MoveTicket, 'status'> }) =>
      must(
        await api.POST('/api/v1/tickets/{id}/status', {
          params: { path: { id: ticket.id }, header: { 'If-Match': ifMatch(ticket.version) } },
          body: { status, ...close },
        }),
      ),
    onSuccess: (t) => stored(qc, t),
    onError: (_e, { ticket }) => void qc.invalidateQueries({ queryKey: ticketKeys.one(ticket.id) }),
  });
}

/** Changes a ticket's custom fields (a merge patch of their values), guarded by the version seen (`If-Match`). */
export function useUpdateTicketFields() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ ticket, customFields }: { ticket: Ticket; customFields: Record<string, unknown> }) =>
      must(
        await api.PATCH('/api/v1/tickets/{id}', {
          params: { path: { id: ticket.id }, header: { 'If-Match': ifMatch(ticket.version) } },
          body: { custom_fields: customFields as Ticket['custom_fields'] },
        }),
      ),
    onSuccess: (t) => stored(qc, t),
  });
}

/** Assigns to a user, or to the next agent of a team in turn (round-robin). */
export function useAssignTicket() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ ticket, body }: { ticket: Ticket; body: AssignTicket }) =>
      must(await api.POST('/api/v1/tickets/{id}/assign', { params: { path: { id: ticket.id } }, body })),
    onSuccess: (t) => stored(qc, t),
  });
}

/** A ticket's conversation, oldest first; `fetchNextPage` loads later comments. */
export function useTicketComments(ticketId: string, limit = 100) {
  return useInfiniteQuery({
    queryKey: ticketKeys.comments(ticketId),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/tickets/{id}/comments', {
          params: { path: { id: ticketId }, query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Adds an internal note or a public reply; the first public reply stops the first-response clock. */
export function useAddComment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ ticket, body }: { ticket: Ticket; body: CreateTicketComment }) =>
      must(await postOnce('/api/v1/tickets/{id}/comments', { params: { path: { id: ticket.id } }, body })),
    onSuccess: (_c, { ticket, body }) => {
      void qc.invalidateQueries({ queryKey: ticketKeys.comments(ticket.id) });
      // the first public reply stops the first-response clock, and one to a new ticket moves it to in progress
      if (body.public && (!ticket.first_responded_at || ticket.status === 'new')) {
        void qc.invalidateQueries({ queryKey: ticketKeys.one(ticket.id) });
        invalidateAround(qc, ticket);
      }
    },
  });
}
