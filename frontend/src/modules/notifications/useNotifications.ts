import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../../api/client';
import type { Notification } from '../../api/types';
import { useSignedIn } from '../auth/useSession';

export const notificationKeys = {
  all: ['notifications'] as const,
  count: ['notifications', 'unread-count'] as const,
  list: (unreadOnly: boolean) => ['notifications', 'list', unreadOnly] as const,
};

/** How often the bell asks for the unread count. */
export const UNREAD_POLL_MS = 60_000;

/** The caller's unread notification count, polled every minute while signed in. */
export function useUnreadCount() {
  const signedIn = useSignedIn();
  return useQuery({
    queryKey: notificationKeys.count,
    enabled: signedIn,
    staleTime: 0,
    refetchInterval: UNREAD_POLL_MS,
    queryFn: async () => must(await api.GET('/api/v1/notifications/unread-count')).count ?? 0,
  });
}

/** The caller's notifications, newest first; loaded while the panel is open. */
export function useNotificationList(unreadOnly: boolean, enabled: boolean, limit = 20) {
  return useInfiniteQuery({
    queryKey: notificationKeys.list(unreadOnly),
    enabled,
    staleTime: 0,
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/notifications', {
          params: { query: { limit, ...(unreadOnly ? { unread: true } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (n: Notification) =>
      must(await api.POST('/api/v1/notifications/{id}/read', { params: { path: { id: n.id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export function useMarkAllRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/notifications/read-all')).count,
    onSuccess: () => {
      qc.setQueryData(notificationKeys.count, 0);
      void qc.invalidateQueries({ queryKey: notificationKeys.all });
    },
  });
}
