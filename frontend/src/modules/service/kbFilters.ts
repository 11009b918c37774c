import { ARTICLE_SORTS, ARTICLE_STATUSES, ARTICLE_VISIBILITIES, type ArticleSort, type ArticleStatus, type ArticleVisibility } from '../../api/types';

/** The article list's search and filters: what the URL's query string holds and what `GET /kb/articles` takes. */
export interface ArticleFilters {
  q?: string;
  category_id?: string;
  status: ArticleStatus[];
  visibility?: ArticleVisibility;
  tag?: string;
  owner_id?: string;
  sort: ArticleSort;
}

export const DEFAULT_ARTICLE_SORT: ArticleSort = '-updated_at';
const TEXT_KEYS = ['q', 'category_id', 'tag', 'owner_id'] as const;

/** Reads the filters from a URL; unknown values are dropped rather than sent. */
export function parseArticleFilters(search: URLSearchParams): ArticleFilters {
  const sort = search.get('sort');
  const visibility = search.get('visibility');
  const f: ArticleFilters = {
    status: [...new Set((search.get('status') ?? '').split(',').filter((s): s is ArticleStatus => (ARTICLE_STATUSES as readonly string[]).includes(s)))],
    sort: sort && (ARTICLE_SORTS as readonly string[]).includes(sort) ? (sort as ArticleSort) : DEFAULT_ARTICLE_SORT,
  };
  if (visibility && (ARTICLE_VISIBILITIES as readonly string[]).includes(visibility)) f.visibility = visibility as ArticleVisibility;
  for (const key of TEXT_KEYS) {
    const v = search.get(key)?.trim();
    if (v) f[key] = v;
  }
  return f;
}

/** Writes the filters to a URL query string, leaving out empty values and the default order. */
export function articleFiltersToSearch(f: ArticleFilters): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of TEXT_KEYS) {
    const v = f[key]?.trim();
    if (v) out.set(key, v);
  }
  if (f.status.length > 0) out.set('status', f.status.join(','));
  if (f.visibility) out.set('visibility', f.visibility);
  if (f.sort !== DEFAULT_ARTICLE_SORT) out.set('sort', f.sort);
  return out;
}

/** The query of `GET /kb/articles` (the sort is always sent, so the order never depends on a server default). */
export function articleFiltersToQuery(f: ArticleFilters): Record<string, string> {
  const q = Object.fromEntries(articleFiltersToSearch(f));
  q.sort = f.sort;
  return q;
}
