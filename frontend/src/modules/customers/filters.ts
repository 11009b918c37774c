import { LIFECYCLE_STAGES, VALUE_TIERS } from '../../api/types';
import { day, manyOf, oneOf, setting, text, urlFilters } from '../../ui/filterSpec';

export const SORTS = ['-created_at', 'created_at', '-updated_at', 'updated_at', 'name', '-name'] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = '-created_at';

/** The customer list's filters: what the URL query string holds and what `GET /customers` takes. */
const customerFilters = urlFilters({
  q: text(),
  owner_id: text(),
  team_id: text(),
  industry: text(),
  region: text(),
  tag: text(),
  lifecycle_stage: manyOf(LIFECYCLE_STAGES),
  value_tier: oneOf(VALUE_TIERS),
  created_at_from: day(),
  created_at_to: day(),
  sort: setting(SORTS, DEFAULT_SORT),
});

export type CustomerFilters = ReturnType<typeof customerFilters.parse>;
export const {
  parse: parseFilters,
  toSearch: filtersToSearch,
  toQuery: filtersToQuery,
  activeCount: activeFilterCount,
} = customerFilters;
