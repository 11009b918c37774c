import { useRef } from 'react';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { Article, CreateArticle, CreateKbCategory, KbCategory, UpdateArticle, UpdateKbCategory } from '../../api/types';
import { ticketKeys } from './useTickets';

export const kbKeys = {
  all: ['kb'] as const,
  categories: ['kb', 'categories'] as const,
  lists: ['kb', 'list'] as const,
  list: (query: Record<string, string>, limit: number) => ['kb', 'list', query, limit] as const,
  article: (id: string) => ['kb', 'article', id] as const,
  revisions: (id: string) => ['kb', 'revisions', id] as const,
  revision: (id: string, n: number) => ['kb', 'revision', id, n] as const,
  solved: (id: string) => ['kb', 'solved', id] as const,
  ticketArticles: (ticketId: string) => ['kb', 'ticket', ticketId] as const,
};

// ---------------------------------------------------------------- categories

/** All categories in display order (two levels: a category and its sections). */
export function useKbCategories() {
  return useQuery({
    queryKey: kbKeys.categories,
    staleTime: 5 * 60_000,
    queryFn: async () => must(await api.GET('/api/v1/kb/categories')).data,
  });
}

export type SaveCategory = { kind: 'create'; body: CreateKbCategory } | { kind: 'update'; category: KbCategory; patch: UpdateKbCategory };

/** Creates or changes a category (`If-Match`); a name taken at its level answers 409. */
export function useSaveCategory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (s: SaveCategory) =>
      s.kind === 'create'
        ? must(await postOnce('/api/v1/kb/categories', { body: s.body }))
        : must(
            await api.PATCH('/api/v1/kb/categories/{id}', {
              params: { path: { id: s.category.id }, header: { 'If-Match': ifMatch(s.category.version) } },
              body: s.patch,
            }),
          ),
    onSettled: () => void qc.invalidateQueries({ queryKey: kbKeys.categories }),
  });
}

/** Deletes an empty category; one that still holds articles or sections answers 409. */
export function useDeleteCategory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (c: KbCategory) => {
      await api.DELETE('/api/v1/kb/categories/{id}', { params: { path: { id: c.id }, header: { 'If-Match': ifMatch(c.version) } } });
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: kbKeys.categories }),
  });
}

// ---------------------------------------------------------------- articles

/** Search results: cursor-paged article summaries for a `GET /kb/articles` query; `fetchNextPage` loads more. */
export function useArticleList(query: Record<string, string>, { limit = 20, enabled = true } = {}) {
  return useInfiniteQuery({
    queryKey: kbKeys.list(query, limit),
    enabled,
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/kb/articles', {
          params: { query: { ...query, limit, include_total: pageParam === null, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/**
 * One article. With `countView`, the fetch made when a person opens it counts a view
 * (`count_view=true`); refetches of the same page (after a vote, an edit) do not.
 */
export function useArticle(id: string, { countView = false, enabled = true } = {}) {
  const counted = useRef<string | null>(null);
  return useQuery({
    queryKey: kbKeys.article(id),
    enabled: enabled && Boolean(id),
    refetchOnMount: countView ? 'always' : true,
    queryFn: async () => {
      const count = countView && counted.current !== id;
      counted.current = id;
      return must(await api.GET('/api/v1/kb/articles/{id}', { params: { path: { id }, query: count ? { count_view: true } : {} } }));
    },
  });
}

function storedArticle(qc: QueryClient, a: Article) {
  qc.setQueryData(kbKeys.article(a.id), a);
  void qc.invalidateQueries({ queryKey: kbKeys.lists });
  void qc.invalidateQueries({ queryKey: kbKeys.categories });
}

export function useCreateArticle() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateArticle) =>
      must(await postOnce('/api/v1/kb/articles', { body })),
    onSuccess: (a) => storedArticle(qc, a),
  });
}

/** Changes an article (`If-Match`); every real change becomes the next revision, with the note. */
export function useUpdateArticle() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ article, patch }: { article: Pick<Article, 'id' | 'version'>; patch: UpdateArticle }) =>
      must(
        await api.PATCH('/api/v1/kb/articles/{id}', {
          params: { path: { id: article.id }, header: { 'If-Match': ifMatch(article.version) } },
          body: patch,
        }),
      ),
    onSuccess: (a) => {
      storedArticle(qc, a);
      void qc.invalidateQueries({ queryKey: kbKeys.revisions(a.id) });
    },
  });
}

export function useDeleteArticle() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (a: Pick<Article, 'id' | 'version'>) => {
      await api.DELETE('/api/v1/kb/articles/{id}', { params: { path: { id: a.id }, header: { 'If-Match': ifMatch(a.version) } } });
    },
    onSuccess: (_v, a) => {
      qc.removeQueries({ queryKey: kbKeys.article(a.id) });
      void qc.invalidateQueries({ queryKey: kbKeys.lists });
      void qc.invalidateQueries({ queryKey: kbKeys.categories });
    },
  });
}

/** "Was this helpful?": one vote per reader, which they may change; the answer has the new counts. */
export function useVoteArticle() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, helpful }: { id: string; helpful: boolean }) =>
      must(await api.POST('/api/v1/kb/articles/{id}/votes', { params: { path: { id } }, body: { helpful } })),
    onSuccess: (a) => {
      qc.setQueryData(kbKeys.article(a.id), a);
      void qc.invalidateQueries({ queryKey: kbKeys.lists });
    },
  });
}

// ---------------------------------------------------------------- revisions

/** An article's revisions, newest first. */
export function useRevisions(id: string, limit = 50) {
  return useInfiniteQuery({
    queryKey: kbKeys.revisions(id),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/kb/articles/{id}/revisions', {
          params: { path: { id }, query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** One kept revision (revisions never change, so it is fetched once). */
export function useRevision(id: string, revision: number | undefined) {
  return useQuery({
    queryKey: kbKeys.revision(id, revision ?? 0),
    enabled: revision !== undefined && revision > 0,
    staleTime: Infinity,
    queryFn: async () => must(await api.GET('/api/v1/kb/articles/{id}/revisions/{revision}', { params: { path: { id, revision: revision ?? 0 } } })),
  });
}

// ---------------------------------------------------------------- tickets

/** The tickets an article was used to solve (`GET /tickets?article_id=`), newest first. */
export function useTicketsSolved(articleId: string, limit = 20) {
  return useInfiniteQuery({
    queryKey: kbKeys.solved(articleId),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/tickets', {
          params: { query: { article_id: articleId, limit, include_total: pageParam === null, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** The articles used to solve a ticket. */
export function useTicketArticles(ticketId: string) {
  return useQuery({
    queryKey: kbKeys.ticketArticles(ticketId),
    queryFn: async () => must(await api.GET('/api/v1/tickets/{id}/articles', { params: { path: { id: ticketId } } })).data,
  });
}

function afterLinkChange(qc: QueryClient, ticketId: string, articleId: string) {
  void qc.invalidateQueries({ queryKey: kbKeys.ticketArticles(ticketId) });
  void qc.invalidateQueries({ queryKey: kbKeys.solved(articleId) });
  void qc.invalidateQueries({ queryKey: kbKeys.lists });
  void qc.invalidateQueries({ queryKey: ticketKeys.all, predicate: (q) => q.queryKey[1] === 'list' });
}

/** Records that an article was used to solve a ticket (linking twice is harmless). */
export function useLinkArticle(ticketId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (articleId: string) =>
      must(await api.POST('/api/v1/tickets/{id}/articles', { params: { path: { id: ticketId } }, body: { article_id: articleId } })),
    onSuccess: (a) => {
      qc.setQueryData(kbKeys.article(a.id), a);
      afterLinkChange(qc, ticketId, a.id);
    },
  });
}

export function useUnlinkArticle(ticketId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (articleId: string) => {
      await api.DELETE('/api/v1/tickets/{id}/articles/{article_id}', { params: { path: { id: ticketId, article_id: articleId } } });
    },
    onSuccess: (_v, articleId) => {
      void qc.invalidateQueries({ queryKey: kbKeys.article(articleId) });
      afterLinkChange(qc, ticketId, articleId);
    },
  });
}
