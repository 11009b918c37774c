import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateWebhook, IssuedWebhook, UpdateWebhook, Webhook, WebhookDelivery, WebhookDeliveryStatus } from '../../api/types';

export const webhookKeys = { all: ['webhooks'] as const };

/** The webhook subscriptions, newest first, a page at a time. */
export function useWebhooks(limit = 50) {
  return useInfiniteQuery({
    queryKey: [...webhookKeys.all, 'list', limit],
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(await api.GET('/api/v1/webhooks', { params: { query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Reads one subscription afresh (the latest version after a 412). */
export async function fetchWebhook(id: string): Promise<Webhook> {
  return must(await api.GET('/api/v1/webhooks/{id}', { params: { path: { id } } }));
}

/** How often the deliveries are read again while one of them is still on its way. */
export const PENDING_REFRESH_MS = 2000;

/**
 * One subscription's deliveries with their attempts, newest first, optionally of one status. While
 * one shown is pending (just tested, or waiting for a retry), the list is read again every
 * {@link PENDING_REFRESH_MS}, so its outcome appears without a reload.
 */
export function useWebhookDeliveries(webhookId: string | null, status: WebhookDeliveryStatus | null, limit = 20) {
  return useInfiniteQuery({
    queryKey: [...webhookKeys.all, 'deliveries', webhookId, status, limit],
    enabled: webhookId !== null,
    refetchInterval: (query: { state: { data?: InfiniteData<{ data: WebhookDelivery[] }> } }) =>
      query.state.data?.pages.some((page) => page.data.some((d) => d.status === 'pending')) ? PENDING_REFRESH_MS : false,
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/webhooks/{id}/deliveries', {
          params: { path: { id: webhookId ?? '' }, query: { limit, ...(status ? { status } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Subscribes a URL; the answer holds the signing secret, the one time it is shown. */
export function useCreateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateWebhook): Promise<IssuedWebhook> => must(await postOnce('/api/v1/webhooks', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

/** Merge-patches a subscription (also pause and resume) guarded by the version seen (`If-Match`). */
export function useUpdateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ webhook, patch }: { webhook: Webhook; patch: UpdateWebhook }): Promise<Webhook> =>
      must(
        await api.PATCH('/api/v1/webhooks/{id}', {
          params: { path: { id: webhook.id }, header: { 'If-Match': ifMatch(webhook.version) } },
          body: patch,
        }),
      ),
    onSuccess: () => void qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

/** Gives a subscription a new secret; the previous one also signs for `overlap_minutes`. */
export function useRotateWebhookSecret() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ webhook, overlap_minutes }: { webhook: Webhook; overlap_minutes: number }): Promise<IssuedWebhook> =>
      must(
        await postOnce('/api/v1/webhooks/{id}/rotate-secret', {
          params: { path: { id: webhook.id }, header: { 'If-Match': ifMatch(webhook.version) } },
          body: { overlap_minutes },
        }),
      ),
    onSuccess: () => void qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

/** Deletes a subscription with its deliveries. */
export function useDeleteWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (webhook: Webhook) => {
      await api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: webhook.id }, header: { 'If-Match': ifMatch(webhook.version) } } });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

/** Sends a `webhook.tested` event to one subscription. */
export function useTestWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (webhook: Webhook): Promise<WebhookDelivery> =>
      must(await postOnce('/api/v1/webhooks/{id}/test', { params: { path: { id: webhook.id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

/** Sends one delivery again, or every event since a time. */
export function useRedeliver() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (what: { webhookId: string; deliveryId: string } | { webhookId: string; since: string }): Promise<number> => {
      if ('deliveryId' in what) {
        must(
          await postOnce('/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver', {
            params: { path: { id: what.webhookId, delivery_id: what.deliveryId } },
          }),
        );
        return 1;
      }
      return must(await postOnce('/api/v1/webhooks/{id}/redeliver', { params: { path: { id: what.webhookId } }, body: { since: what.since } })).deliveries;
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}
