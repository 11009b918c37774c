import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { Contact, CreateContact, CreateCustomer, Customer, UpdateContact, UpdateCustomer } from '../../api/types';
import { filtersToQuery, type CustomerFilters } from './filters';

export const customerKeys = {
  all: ['customers'] as const,
  list: (f: CustomerFilters, limit: number) => ['customers', 'list', f, limit] as const,
  count: (q: Record<string, string>) => ['customers', 'count', q] as const,
  one: (id: string) => ['customers', 'one', id] as const,
  bin: ['customers', 'recycle-bin'] as const,
  history: (id: string) => ['customers', 'history', id] as const,
  contacts: (id: string) => ['customers', 'contacts', id] as const,
  timelineAll: (id: string) => ['customers', 'timeline', id] as const,
  timeline: (id: string, kinds: readonly string[]) => ['customers', 'timeline', id, kinds] as const,
  search: (q: string) => ['customers', 'search', q] as const,
};

/** Cursor-paged customer list for the filters (custom fields' `cf.*` among them); `fetchNextPage` loads more. */
export function useCustomerList(filters: CustomerFilters, limit = 50, enabled = true) {
  return useInfiniteQuery({
    queryKey: customerKeys.list(filters, limit),
    enabled,
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/customers', {
          params: {
            query: {
              ...filtersToQuery(filters),
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

/** How many customers match raw list parameters (one `limit=1&include_total=true` request). */
export async function fetchCustomerCount(query: Record<string, string>): Promise<number> {
  const page = must(await api.GET('/api/v1/customers', { params: { query: { ...query, limit: 1, include_total: true } } }));
  return page.total ?? page.data.length;
}

export function useCustomerCount(query: Record<string, string>) {
  return useQuery({ queryKey: customerKeys.count(query), queryFn: () => fetchCustomerCount(query) });
}

export function useCustomer(id: string, enabled = true) {
  return useQuery({
    queryKey: customerKeys.one(id),
    enabled,
    queryFn: async () => must(await api.GET('/api/v1/customers/{id}', { params: { path: { id } } })),
  });
}

export function useCreateCustomer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateCustomer) =>
      must(await postOnce('/api/v1/customers', { body })),
    onSuccess: (c) => {
      qc.setQueryData(customerKeys.one(c.id), c);
      void qc.invalidateQueries({ queryKey: customerKeys.all });
    },
  });
}

/** A merge-patch guarded by the version the user saw (`If-Match`); a stale one fails with 412. */
export function useUpdateCustomer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, version, patch }: { id: string; version: number; patch: UpdateCustomer }) =>
      must(
        await api.PATCH('/api/v1/customers/{id}', {
          params: { path: { id }, header: { 'If-Match': ifMatch(version) } },
          body: patch,
        }),
      ),
    onSuccess: (c) => {
      qc.setQueryData(customerKeys.one(c.id), c);
      void qc.invalidateQueries({ queryKey: customerKeys.all, predicate: (q) => q.queryKey[1] !== 'one' });
    },
  });
}

export function useDeleteCustomer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, version }: { id: string; version: number }) => {
      await api.DELETE('/api/v1/customers/{id}', { params: { path: { id }, header: { 'If-Match': ifMatch(version) } } });
    },
    onSuccess: (_v, { id }) => {
      qc.removeQueries({ queryKey: customerKeys.one(id) });
      void qc.invalidateQueries({ queryKey: customerKeys.all });
    },
  });
}

export function useRestoreCustomer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => must(await api.POST('/api/v1/customers/{id}/restore', { params: { path: { id } } })),
    onSuccess: (c) => {
      qc.setQueryData(customerKeys.one(c.id), c);
      void qc.invalidateQueries({ queryKey: customerKeys.all });
    },
  });
}

export function useRecycleBin(q: string | undefined, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...customerKeys.bin, q ?? '', limit],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/customers/recycle-bin', {
          params: { query: { limit, ...(q ? { q } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useStageHistory(id: string) {
  return useQuery({
    queryKey: customerKeys.history(id),
    queryFn: async () =>
      must(await api.GET('/api/v1/customers/{id}/stage-history', { params: { path: { id }, query: { limit: 200 } } })).data,
  });
}

export function useContacts(customerId: string, enabled = true) {
  return useQuery({
    queryKey: customerKeys.contacts(customerId),
    enabled,
    queryFn: async () =>
      must(await api.GET('/api/v1/customers/{id}/contacts', { params: { path: { id: customerId }, query: { limit: 200 } } })).data,
  });
}

export function useSaveContact(customerId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (
      arg: { kind: 'create'; body: CreateContact } | { kind: 'update'; contact: Contact; patch: UpdateContact },
    ): Promise<Contact> => {
      if (arg.kind === 'create') {
        const { body } = arg;
        return must(await postOnce('/api/v1/customers/{id}/contacts', { params: { path: { id: customerId } }, body }));
      }
      return must(
        await api.PATCH('/api/v1/contacts/{id}', {
          params: { path: { id: arg.contact.id }, header: { 'If-Match': ifMatch(arg.contact.version) } },
          body: arg.patch,
        }),
      );
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: customerKeys.contacts(customerId) });
      void qc.invalidateQueries({ queryKey: customerKeys.timelineAll(customerId) });
    },
  });
}

export function useDeleteContact(customerId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (c: Contact) => {
      await api.DELETE('/api/v1/contacts/{id}', { params: { path: { id: c.id }, header: { 'If-Match': ifMatch(c.version) } } });
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: customerKeys.contacts(customerId) });
      void qc.invalidateQueries({ queryKey: customerKeys.timelineAll(customerId) });
    },
  });
}

export function useRestoreContact(customerId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => must(await api.POST('/api/v1/contacts/{id}/restore', { params: { path: { id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: customerKeys.contacts(customerId) });
      void qc.invalidateQueries({ queryKey: customerKeys.timelineAll(customerId) });
    },
  });
}

/** A customer's 360° timeline, newest first, optionally only some kinds; `fetchNextPage` loads more. */
export function useTimeline(customerId: string, kinds: readonly string[], limit = 20) {
  return useInfiniteQuery({
    queryKey: customerKeys.timeline(customerId, kinds),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/customers/{id}/timeline', {
          params: {
            path: { id: customerId },
            query: { limit, ...(kinds.length > 0 ? { kind: kinds.join(',') } : {}), ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Customers whose name matches `q`, or whose phone or email is `q` whole (first 20), for pickers. */
export function useCustomerSearch(q: string, enabled = true) {
  return useQuery({
    queryKey: customerKeys.search(q),
    enabled,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      must(await api.GET('/api/v1/customers', { params: { query: { limit: 20, sort: 'name', ...(q ? { q } : {}) } } })).data,
  });
}

export type { Customer };
