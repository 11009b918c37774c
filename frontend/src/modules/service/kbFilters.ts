import { ARTICLE_SORTS, ARTICLE_STATUSES, ARTICLE_VISIBILITIES, type ArticleSort } from '../../api/types';
import { manyOf, oneOf, setting, text, urlFilters } from '../../ui/filterSpec';

export const DEFAULT_ARTICLE_SORT: ArticleSort = '-updated_at';

/**
 * The article list's search and filters: what the URL's query string holds and what
 * `GET /kb/articles` takes (the sort is always sent, so the order never depends on a server default).
 */
const articleFilters = urlFilters({
  q: text(),
  category_id: text(),
  tag: text(),
  owner_id: text(),
  status: manyOf(ARTICLE_STATUSES),
  visibility: oneOf(ARTICLE_VISIBILITIES),
  sort: setting(ARTICLE_SORTS, DEFAULT_ARTICLE_SORT),
});

export type ArticleFilters = ReturnType<typeof articleFilters.parse>;
export const { parse: parseArticleFilters, toSearch: articleFiltersToSearch, toQuery: articleFiltersToQuery } = articleFilters;
