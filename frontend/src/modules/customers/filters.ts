import { LIFECYCLE_STAGES, VALUE_TIERS, type LifecycleStage } from '../../api/types';

export const SORTS = ['-created_at', 'created_at', '-updated_at', 'updated_at', 'name', '-name'] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = '-created_at';

/** The customer list's filters: what the URL query string holds and what `GET /customers` takes. */
export interface CustomerFilters {
  q?: string;
  lifecycle_stage: LifecycleStage[];
  owner_id?: string;
  team_id?: string;
  industry?: string;
  region?: string;
  tag?: string;
  value_tier?: (typeof VALUE_TIERS)[number];
  created_at_from?: string;
  created_at_to?: string;
  sort: Sort;
}

const TEXT_KEYS = ['q', 'owner_id', 'team_id', 'industry', 'region', 'tag'] as const;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function isStage(v: string): v is LifecycleStage {
  return (LIFECYCLE_STAGES as readonly string[]).includes(v);
}

/** Reads filters from a URL; unknown or malformed values are dropped rather than sent. */
export function parseFilters(search: URLSearchParams): CustomerFilters {
  const f: CustomerFilters = { lifecycle_stage: [], sort: DEFAULT_SORT };
  for (const key of TEXT_KEYS) {
    const v = search.get(key)?.trim();
    if (v) f[key] = v;
  }
  const stages = search.get('lifecycle_stage');
  if (stages) f.lifecycle_stage = [...new Set(stages.split(',').filter(isStage))];
  const tier = search.get('value_tier');
  if (tier && (VALUE_TIERS as readonly string[]).includes(tier)) f.value_tier = tier as CustomerFilters['value_tier'];
  const from = search.get('created_at_from');
  if (from && DATE_RE.test(from)) f.created_at_from = from;
  const to = search.get('created_at_to');
  if (to && DATE_RE.test(to)) f.created_at_to = to;
  const sort = search.get('sort');
  if (sort && (SORTS as readonly string[]).includes(sort)) f.sort = sort as Sort;
  return f;
}

/** Writes filters to a URL query string, leaving out empty values and the default sort. */
export function filtersToSearch(f: CustomerFilters): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of TEXT_KEYS) {
    const v = f[key];
    if (v) out.set(key, v);
  }
  if (f.lifecycle_stage.length > 0) out.set('lifecycle_stage', f.lifecycle_stage.join(','));
  if (f.value_tier) out.set('value_tier', f.value_tier);
  if (f.created_at_from) out.set('created_at_from', f.created_at_from);
  if (f.created_at_to) out.set('created_at_to', f.created_at_to);
  if (f.sort !== DEFAULT_SORT) out.set('sort', f.sort);
  return out;
}

/** The query parameters of `GET /customers` for these filters. */
export function filtersToQuery(f: CustomerFilters): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of filtersToSearch(f)) q[k] = v;
  q.sort = f.sort;
  return q;
}

export function activeFilterCount(f: CustomerFilters): number {
  return [...filtersToSearch(f).keys()].filter((k) => k !== 'sort').length;
}
