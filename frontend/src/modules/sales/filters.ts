import { ORDER_STATUSES } from '../../api/types';
import { day, flag, manyOf, setting, text, urlFilters } from '../../ui/filterSpec';

/** The board's filters, kept in the URL so a view can be bookmarked and shared. */
const boardFilters = urlFilters({
  pipeline: text(),
  owner_id: text(),
  team_id: text(),
  expected_close_from: day(),
  expected_close_to: day(),
});

export type BoardFilters = ReturnType<typeof boardFilters.parse>;
export const { parse: parseBoardFilters, toSearch: boardFiltersToSearch } = boardFilters;

/** The board's filters as the query of `GET /pipelines/{id}/board` and of a column's next page (the pipeline is in the path). */
export function boardQuery(f: BoardFilters): Record<string, string> {
  const { pipeline: _pipeline, ...query } = boardFilters.toQuery(f);
  return query;
}

export const OPPORTUNITY_SORTS = ['-updated_at', '-created_at', 'created_at', 'name'] as const;
export type OpportunitySort = (typeof OPPORTUNITY_SORTS)[number];
export const DEFAULT_OPPORTUNITY_SORT: OpportunitySort = '-updated_at';

/** The opportunity list's filters: the URL's query string and what `GET /opportunities` takes. */
const opportunityFilters = urlFilters(
  {
    q: text(),
    customer_id: text(),
    owner_id: text(),
    team_id: text(),
    pipeline_id: text(),
    stage_id: text(),
    expected_close_from: day(),
    expected_close_to: day(),
    sort: setting(OPPORTUNITY_SORTS, DEFAULT_OPPORTUNITY_SORT),
  },
  (f) => {
    // a stage belongs to a pipeline: without the pipeline the stage filter is dropped
    if (!f.pipeline_id) delete f.stage_id;
  },
);

export type OpportunityFilters = ReturnType<typeof opportunityFilters.parse>;
export const {
  parse: parseOpportunityFilters,
  toSearch: opportunityFiltersToSearch,
  toQuery: opportunityFiltersToQuery,
  activeCount: activeOpportunityFilterCount,
} = opportunityFilters;

/** The order list's filters: the URL's query string and what `GET /orders` takes. */
const orderFilters = urlFilters({
  q: text(),
  customer_id: text(),
  owner_id: text(),
  status: manyOf(ORDER_STATUSES),
  order_date_from: day(),
  order_date_to: day(),
});

export type OrderFilters = ReturnType<typeof orderFilters.parse>;
export const { parse: parseOrderFilters, toSearch: orderFiltersToSearch, toQuery: orderFiltersToQuery } = orderFilters;

export const PRODUCT_SORTS = ['name', '-name', '-created_at', 'created_at'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

/** The catalogue's filters: what the URL holds and what `GET /products` takes (`active`: only active, only inactive, or both). */
const productFilters = urlFilters({
  q: text(),
  category: text(),
  active: flag(),
  sort: setting(PRODUCT_SORTS, 'name'),
});

export type ProductFilters = ReturnType<typeof productFilters.parse>;
export const { parse: parseProductFilters, toSearch: productFiltersToSearch, toQuery: productFiltersToQuery } = productFilters;
