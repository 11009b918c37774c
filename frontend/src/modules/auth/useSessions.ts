import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../../api/client';
import type { Session } from '../../api/types';

/** Whose sessions: the caller's own (`me`) or, for administrators, a user's. */
export type SessionOwner = { me: true } | { userId: string };

export const sessionKeys = {
  all: ['sessions'] as const,
  of: (owner: SessionOwner) => ['sessions', 'me' in owner ? 'me' : owner.userId] as const,
};

/** Where someone is signed in, newest first, a page at a time. */
export function useSessions(owner: SessionOwner | null, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...sessionKeys.of(owner ?? { me: true }), limit],
    enabled: owner !== null,
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) => {
      const query = { limit, ...(pageParam ? { cursor: pageParam } : {}) };
      if (owner === null || 'me' in owner) return must(await api.GET('/api/v1/auth/sessions', { params: { query } }));
      return must(await api.GET('/api/v1/users/{id}/sessions', { params: { path: { id: owner.userId }, query } }));
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Ends a session: it stops working at once. Answers the session ended. */
export function useEndSession(owner: SessionOwner | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (session: Session): Promise<Session> => {
      if (owner === null || 'me' in owner) {
        await api.DELETE('/api/v1/auth/sessions/{id}', { params: { path: { id: session.id } } });
      } else {
        await api.DELETE('/api/v1/users/{id}/sessions/{session_id}', { params: { path: { id: owner.userId, session_id: session.id } } });
      }
      return session;
    },
    // the session this page runs in is over: the page signs out rather than asks again
    onSuccess: (ended) => {
      if (!ended.current) void qc.invalidateQueries({ queryKey: sessionKeys.all });
    },
  });
}
