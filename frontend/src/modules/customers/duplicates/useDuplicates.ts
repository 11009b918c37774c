import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, must } from '../../../api/client';
import type { components } from '../../../api/generated/schema';

/**
 * A customer that may be the same as another. Written out here rather than taken from the generated
 * schema: the OpenAPI document names the requirements' candidate `DuplicateCandidateDto` too, and
 * that one (number, title, status…) won the name, so the generated type does not describe what the
 * customers' duplicate endpoints answer.
 */
export interface CustomerDuplicate {
  id: string;
  name: string;
  city: string | null;
  owner_id: string;
  owner_name: string | null;
  /** `phone`, `email`, `credit_code`, `name`. */
  reasons: string[];
  /** How alike the names read, 0–1. */
  similarity: number;
}

/** Customers that are likely the same (connected by a shared phone or email, or alike names in one city). */
export interface DuplicateGroup {
  /** 1 for a shared phone or email; otherwise how alike the names read (0–1). */
  score: number;
  reasons: string[];
  members: CustomerDuplicate[];
}

interface DuplicateGroupPage {
  data: DuplicateGroup[];
  next_cursor?: string | null;
  total?: number | null;
}

export type DuplicateCheck = components['schemas']['DuplicateCheck'];

/** Under `customers`: a merge, create, edit or delete reads them again with every customer list. */
export const duplicateKeys = {
  check: (body: DuplicateCheck) => ['customers', 'duplicates', 'check', body] as const,
  of: (id: string) => ['customers', 'duplicates', 'of', id] as const,
  groups: (limit: number) => ['customers', 'duplicates', 'groups', limit] as const,
};

const candidates = (res: unknown): CustomerDuplicate[] =>
  (res as { duplicate_candidates?: CustomerDuplicate[] }).duplicate_candidates ?? [];

/** Whether the values say enough to look for duplicates (a name, a phone, an email or a credit code). */
export function worthChecking(body: DuplicateCheck): boolean {
  return Boolean(body.name || body.phone || body.email || body.credit_code);
}

/**
 * Customers that may be the one being entered. A warning only: while a new check runs the last
 * answer stays on screen, and a failed check shows nothing rather than an error.
 */
export function useDuplicateCheck(body: DuplicateCheck) {
  return useQuery({
    queryKey: duplicateKeys.check(body),
    enabled: worthChecking(body),
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
    queryFn: async () => candidates(must(await api.POST('/api/v1/customers/duplicate-check', { body }))),
  });
}

/** The possible duplicates of a stored customer. */
export function useCustomerDuplicates(id: string) {
  return useQuery({
    queryKey: duplicateKeys.of(id),
    retry: false,
    queryFn: async () => candidates(must(await api.GET('/api/v1/customers/{id}/duplicates', { params: { path: { id } } }))),
  });
}

/** The groups of likely duplicates across the database, strongest first, a page at a time. */
export function useDuplicateGroups(limit = 20) {
  return useInfiniteQuery({
    queryKey: duplicateKeys.groups(limit),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }): Promise<DuplicateGroupPage> =>
      must(
        await api.GET('/api/v1/customers/duplicates', {
          params: { query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ) as unknown as DuplicateGroupPage,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}
