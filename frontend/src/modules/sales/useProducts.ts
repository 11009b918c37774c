import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateProduct, Product, UpdateProduct } from '../../api/types';

/** The catalogue's filters: what the URL holds and what `GET /products` takes. */
export interface ProductFilters {
  q?: string;
  category?: string;
  /** `true`, `false` or undefined for both. */
  active?: 'true' | 'false';
  sort: ProductSort;
}

export const PRODUCT_SORTS = ['name', '-name', '-created_at', 'created_at'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export function parseProductFilters(search: URLSearchParams): ProductFilters {
  const f: ProductFilters = { sort: 'name' };
  const q = search.get('q')?.trim();
  if (q) f.q = q;
  const category = search.get('category')?.trim();
  if (category) f.category = category;
  const active = search.get('active');
  if (active === 'true' || active === 'false') f.active = active;
  const sort = search.get('sort');
  if (sort && (PRODUCT_SORTS as readonly string[]).includes(sort)) f.sort = sort as ProductSort;
  return f;
}

export function productFiltersToSearch(f: ProductFilters): URLSearchParams {
  const out = new URLSearchParams();
  if (f.q) out.set('q', f.q);
  if (f.category) out.set('category', f.category);
  if (f.active) out.set('active', f.active);
  if (f.sort !== 'name') out.set('sort', f.sort);
  return out;
}

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
              limit,
              sort: filters.sort,
              include_total: pageParam === null,
              ...(filters.q ? { q: filters.q } : {}),
              ...(filters.category ? { category: filters.category } : {}),
              ...(filters.active ? { active: filters.active === 'true' } : {}),
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
