import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateOrder, Opportunity, Order, OrderStatus, UpdateOrder } from '../../api/types';
import { customerKeys } from '../customers/useCustomers';
import { orderFiltersToQuery, type OrderFilters } from './filters';
import { opportunityKeys } from './useOpportunities';

export const orderKeys = {
  all: ['orders'] as const,
  list: (f: OrderFilters, limit: number) => ['orders', 'list', f, limit] as const,
  one: (id: string) => ['orders', 'one', id] as const,
};

/** What each status may become, and by which action (`POST /orders/{id}/<action>`). */
export const ORDER_ACTIONS = ['confirm', 'fulfill', 'cancel', 'refund'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];
export const ACTIONS_BY_STATUS: Record<OrderStatus, OrderAction[]> = {
  draft: ['confirm', 'cancel'],
  confirmed: ['fulfill', 'cancel', 'refund'],
  fulfilled: ['refund'],
  cancelled: [],
  refunded: [],
};

/** An order changes its customer (stage, purchase figures, timeline) and the reports. */
function invalidateAround(qc: QueryClient, o: Pick<Order, 'customer_id' | 'opportunity_id'>) {
  void qc.invalidateQueries({ queryKey: orderKeys.all, predicate: (q) => q.queryKey[1] !== 'one' });
  void qc.invalidateQueries({ queryKey: customerKeys.one(o.customer_id) });
  void qc.invalidateQueries({ queryKey: customerKeys.timelineAll(o.customer_id) });
  void qc.invalidateQueries({ queryKey: customerKeys.history(o.customer_id) });
  void qc.invalidateQueries({ queryKey: ['reports'] });
  if (o.opportunity_id) void qc.invalidateQueries({ queryKey: opportunityKeys.one(o.opportunity_id) });
}

export function useOrderList(filters: OrderFilters, limit = 50, enabled = true) {
  return useInfiniteQuery({
    queryKey: orderKeys.list(filters, limit),
    enabled,
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) => {
      return must(
        await api.GET('/api/v1/orders', {
          params: { query: { ...orderFiltersToQuery(filters), limit, include_total: pageParam === null, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      );
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useOrder(id: string) {
  return useQuery({
    queryKey: orderKeys.one(id),
    queryFn: async () => must(await api.GET('/api/v1/orders/{id}', { params: { path: { id } } })),
  });
}

export async function fetchOrder(id: string): Promise<Order> {
  return must(await api.GET('/api/v1/orders/{id}', { params: { path: { id } } }));
}

export function useCreateOrder() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateOrder) =>
      must(await postOnce('/api/v1/orders', { body })),
    onSuccess: (o) => {
      qc.setQueryData(orderKeys.one(o.id), o);
      invalidateAround(qc, o);
    },
  });
}

/** A draft order from a won opportunity, its lines copied (409 when not won or without lines). */
export function useOrderFromOpportunity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (o: Opportunity) => must(await postOnce('/api/v1/opportunities/{id}/order', { params: { path: { id: o.id } }, body: {} })),
    onSuccess: (o) => {
      qc.setQueryData(orderKeys.one(o.id), o);
      invalidateAround(qc, o);
    },
  });
}

/** Changes a draft (`If-Match`); a stale one fails with 412. */
export function useUpdateOrder() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ order, patch }: { order: Order; patch: UpdateOrder }) =>
      must(
        await api.PATCH('/api/v1/orders/{id}', {
          params: { path: { id: order.id }, header: { 'If-Match': ifMatch(order.version) } },
          body: patch,
        }),
      ),
    onSuccess: (o) => {
      qc.setQueryData(orderKeys.one(o.id), o);
      invalidateAround(qc, o);
    },
  });
}

export function useDeleteOrder() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (o: Order) => {
      await api.DELETE('/api/v1/orders/{id}', { params: { path: { id: o.id }, header: { 'If-Match': ifMatch(o.version) } } });
    },
    onSuccess: (_v, o) => {
      qc.removeQueries({ queryKey: orderKeys.one(o.id) });
      invalidateAround(qc, o);
    },
  });
}

/** Confirm, fulfil, cancel or refund (`If-Match`); a move the status does not allow answers 409. */
export function useOrderTransition() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ order, action }: { order: Order; action: OrderAction }) => {
      const params = { params: { path: { id: order.id }, header: { 'If-Match': ifMatch(order.version) } } };
      switch (action) {
        case 'confirm':
          return must(await api.POST('/api/v1/orders/{id}/confirm', params));
        case 'fulfill':
          return must(await api.POST('/api/v1/orders/{id}/fulfill', params));
        case 'cancel':
          return must(await api.POST('/api/v1/orders/{id}/cancel', params));
        case 'refund':
          return must(await api.POST('/api/v1/orders/{id}/refund', params));
      }
    },
    onSuccess: (o) => {
      qc.setQueryData(orderKeys.one(o.id), o);
      invalidateAround(qc, o);
    },
    onError: (_e, { order }) => void qc.invalidateQueries({ queryKey: orderKeys.one(order.id) }),
  });
}
