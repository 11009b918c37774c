/** The board's filters, kept in the URL so a view can be bookmarked and shared. */
export interface BoardFilters {
  pipeline?: string;
  owner_id?: string;
  team_id?: string;
  expected_close_from?: string;
  expected_close_to?: string;
}

export const OPPORTUNITY_SORTS = ['-updated_at', '-created_at', 'created_at', 'name'] as const;
export type OpportunitySort = (typeof OPPORTUNITY_SORTS)[number];
export const DEFAULT_OPPORTUNITY_SORT: OpportunitySort = '-updated_at';

/** The opportunity list's filters: the URL's query string and what `GET /opportunities` takes. */
export interface OpportunityFilters {
  q?: string;
  customer_id?: string;
  owner_id?: string;
  team_id?: string;
  pipeline_id?: string;
  stage_id?: string;
  expected_close_from?: string;
  expected_close_to?: string;
  sort: OpportunitySort;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const BOARD_TEXT = ['pipeline', 'owner_id', 'team_id'] as const;
const LIST_TEXT = ['q', 'customer_id', 'owner_id', 'team_id', 'pipeline_id', 'stage_id'] as const;
const DATES = ['expected_close_from', 'expected_close_to'] as const;

function readDates(search: URLSearchParams, f: { expected_close_from?: string; expected_close_to?: string }) {
  for (const key of DATES) {
    const v = search.get(key);
    if (v && DATE_RE.test(v)) f[key] = v;
  }
}

export function parseBoardFilters(search: URLSearchParams): BoardFilters {
  const f: BoardFilters = {};
  for (const key of BOARD_TEXT) {
    const v = search.get(key)?.trim();
    if (v) f[key] = v;
  }
  readDates(search, f);
  return f;
}

export function boardFiltersToSearch(f: BoardFilters): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of [...BOARD_TEXT, ...DATES]) {
    const v = f[key];
    if (v) out.set(key, v);
  }
  return out;
}

/** The board's filters as the query of `GET /pipelines/{id}/board` and of a column's next page. */
export function boardQuery(f: BoardFilters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.owner_id) q.owner_id = f.owner_id;
  if (f.team_id) q.team_id = f.team_id;
  if (f.expected_close_from) q.expected_close_from = f.expected_close_from;
  if (f.expected_close_to) q.expected_close_to = f.expected_close_to;
  return q;
}

export function parseOpportunityFilters(search: URLSearchParams): OpportunityFilters {
  const f: OpportunityFilters = { sort: DEFAULT_OPPORTUNITY_SORT };
  for (const key of LIST_TEXT) {
    const v = search.get(key)?.trim();
    if (v) f[key] = v;
  }
  readDates(search, f);
  const sort = search.get('sort');
  if (sort && (OPPORTUNITY_SORTS as readonly string[]).includes(sort)) f.sort = sort as OpportunitySort;
  // a stage belongs to a pipeline: without the pipeline the stage filter is dropped
  if (!f.pipeline_id) delete f.stage_id;
  return f;
}

export function opportunityFiltersToSearch(f: OpportunityFilters): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of [...LIST_TEXT, ...DATES]) {
    const v = f[key];
    if (v) out.set(key, v);
  }
  if (f.sort !== DEFAULT_OPPORTUNITY_SORT) out.set('sort', f.sort);
  return out;
}

export function opportunityFiltersToQuery(f: OpportunityFilters): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of opportunityFiltersToSearch(f)) q[k] = v;
  q.sort = f.sort;
  return q;
}

export function activeOpportunityFilterCount(f: OpportunityFilters): number {
  return [...opportunityFiltersToSearch(f).keys()].filter((k) => k !== 'sort').length;
}
