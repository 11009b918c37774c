import { LIFECYCLE_STAGES, VALUE_TIERS } from '../../api/types';
import { day, manyOf, oneOf, setting, text, urlFilters, type FilterParam } from '../../ui/filterSpec';

export const SORTS = ['-created_at', 'created_at', '-updated_at', 'updated_at', 'name', '-name'] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = '-created_at';

/**
 * A whole identity document number, as the server reads one: spaces and hyphens dropped, upper
 * case, 5–20 letters and digits. Anything else is no filter: the server would refuse the whole
 * list (400) for it, and a part of a number finds nothing (it is found through a blind index).
 */
function documentNumber(): FilterParam<string, false> {
  const read = (raw: string | null) => {
    const value = raw?.replace(/[\s-]/g, '').toUpperCase();
    return value && /^[A-Z0-9]{5,20}$/.test(value) ? value : undefined;
  };
  return { read, write: read, fallback: undefined, setting: false };
}

/** The customer list's filters: what the URL query string holds and what `GET /customers` takes. */
const customerFilters = urlFilters({
  q: text(),
  id_number: documentNumber(),
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
