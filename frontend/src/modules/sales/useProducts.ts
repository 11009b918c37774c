import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateProduct, Product, UpdateProduct } from '../../api/types';
import { productFiltersToQuery, type ProductFilters } from './filters';

export const productKeys = {
  all: ['products'] as const,
  list: (f: ProductFilters, limit: number) => ['products', 'list', f, limit] as const,
  one: (id: string) => ['products', 'one', id] as const,
};

export function useProductList(filters: ProductFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: productKeys.list(filters, limit),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/products', {
          params: {
            query: {
              ...productFiltersToQuery(filters),
              ...(filters.active !== undefined ? { active: filters.active } : {}),
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

export function useProduct(id: string, enabled = true) {
  return useQuery({
    queryKey: productKeys.one(id),
    enabled,
    queryFn: async () => must(await api.GET('/api/v1/products/{id}', { params: { path: { id } } })),
  });
}

/** Active products whose SKU, name or category matches `q` (first 20), for pickers. */
export function useProductSearch(q: string, enabled = true) {
  return useQuery({
    queryKey: [...productKeys.all, 'search', q] as const,
    enabled,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      must(await api.GET('/api/v1/products', { params: { query: { limit: 20, active: true, sort: 'name', ...(q ? { q } : {}) } } })).data,
  });
}

/** The latest stored version of a product (after a 412). */
export async function fetchProduct(id: string): Promise<Product> {
  return must(await api.GET('/api/v1/products/{id}', { params: { path: { id } } }));
}

/** Creates a product, or merge-patches one guarded by the version the user saw (`If-Match`). */
export function useSaveProduct() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (
      arg: { kind: 'create'; body: CreateProduct } | { kind: 'update'; product: Product; patch: UpdateProduct },
    ): Promise<Product> => {
      if (arg.kind === 'create') {
        return must(await postOnce('/api/v1/products', { body: arg.body }));
      }
      return must(
        await api.PATCH('/api/v1/products/{id}', {
          params: { path: { id: arg.product.id }, header: { 'If-Match': ifMatch(arg.product.version) } },
          body: arg.patch,
        }),
      );
    },
    onSuccess: (p) => {
      qc.setQueryData(productKeys.one(p.id), p);
      void qc.invalidateQueries({ queryKey: productKeys.all, predicate: (q) => q.queryKey[1] !== 'one' });
    },
  });
}

export function useDeleteProduct() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (p: Product) => {
      await api.DELETE('/api/v1/products/{id}', { params: { path: { id: p.id }, header: { 'If-Match': ifMatch(p.version) } } });
    },
    onSuccess: (_v, p) => {
      qc.removeQueries({ queryKey: productKeys.one(p.id) });
      void qc.invalidateQueries({ queryKey: productKeys.all });
    },
  });
}
