import { LIFECYCLE_STAGES, VALUE_TIERS } from '../../api/types';
import { day, manyOf, oneOf, text, urlFilters, type FilterParam } from '../../ui/filterSpec';

export const SORTS = ['-created_at', 'created_at', '-updated_at', 'updated_at', 'name', '-name'] as const;
/** A custom field's parameter: `cf.<key>`, and `cf.<key>_from` / `_to` for ranges. */
const CUSTOM_PARAM = /^cf\.[a-z][a-z0-9_]{0,45}$/;
/** The list's own orders, or a custom field's (`cf.<key>`, `-cf.<key>`). */
export type Sort = (typeof SORTS)[number] | `cf.${string}` | `-cf.${string}`;
export const DEFAULT_SORT: Sort = '-created_at';

/** The custom field a sort orders by, or undefined for the list's own orders. */
export function customSortKey(sort: string): string | undefined {
  const m = /^-?cf\.([a-z][a-z0-9_]{0,39})$/.exec(sort);
  return m?.[1];
}

function sortSetting(): FilterParam<Sort, true> {
  const valid = (raw: string | null): raw is Sort => raw !== null && ((SORTS as readonly string[]).includes(raw) || customSortKey(raw) !== undefined);
  return { read: (raw) => (valid(raw) ? raw : undefined), write: (v) => (v === DEFAULT_SORT ? undefined : v), fallback: DEFAULT_SORT, setting: true };
}

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
  sort: sortSetting(),
});

/**
 * The list's filters: its own, and the custom fields' (`cf.<key>` → its value, comma-separated for
 * any of several; `cf.<key>_from` / `_to` for a range). The custom fields are the organisation's, so
 * every `cf.*` parameter of the URL is kept here; the list sends those of fields it knows.
 */
export type CustomerFilters = ReturnType<typeof customerFilters.parse> & { cf?: Record<string, string> };

function customParams(search: URLSearchParams): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [name, value] of search) {
    if (CUSTOM_PARAM.test(name) && value.trim() !== '') out[name] = value.trim();
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function parseFilters(search: URLSearchParams): CustomerFilters {
  const cf = customParams(search);
  return { ...customerFilters.parse(search), ...(cf ? { cf } : {}) };
}

export function filtersToSearch(f: CustomerFilters): URLSearchParams {
  const search = customerFilters.toSearch(f);
  for (const [name, value] of Object.entries(f.cf ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (CUSTOM_PARAM.test(name) && value.trim() !== '') search.set(name, value.trim());
  }
  return search;
}

/** The API's query: the list's parameters and the custom fields' as they are. */
export function filtersToQuery(f: CustomerFilters): Record<string, string> {
  return { ...customerFilters.toQuery(f), ...(f.cf ?? {}) };
}

export function activeFilterCount(f: CustomerFilters): number {
  return customerFilters.activeCount(f) + Object.keys(f.cf ?? {}).length;
}

/**
 * The filters as sent for the custom fields `known` (keys of the kind's fields): parameters and a
 * sort of a field the organisation does not have (an old link) are dropped rather than refused.
 */
export function withKnownCustomFields(f: CustomerFilters, known: readonly string[]): CustomerFilters {
  const baseKey = (name: string) => name.slice(3).replace(/_(from|to)$/, '');
  const cf = Object.fromEntries(Object.entries(f.cf ?? {}).filter(([name]) => known.includes(name.slice(3)) || known.includes(baseKey(name))));
  const sortKey = customSortKey(f.sort);
  const { cf: _all, ...rest } = f;
  return { ...rest, ...(Object.keys(cf).length > 0 ? { cf } : {}), ...(sortKey !== undefined && !known.includes(sortKey) ? { sort: DEFAULT_SORT } : {}) };
}
