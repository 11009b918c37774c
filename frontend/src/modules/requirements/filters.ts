import {
  REQUIREMENT_CATEGORIES, REQUIREMENT_SORTS, REQUIREMENT_SOURCES, REQUIREMENT_STATUSES,
  type RequirementCategory, type RequirementSort, type RequirementSource, type RequirementStatus,
} from '../../api/types';

/** The list's filters and order: what the URL's query string holds and what `GET /requirements` takes. */
export interface RequirementFilters {
  q?: string;
  status: RequirementStatus[];
  category: RequirementCategory[];
  source_channel: RequirementSource[];
  owner_id?: string;
  team_id?: string;
  release?: string;
  customer_id?: string;
  ticket_id?: string;
  tag?: string;
  sort: RequirementSort;
}

export const DEFAULT_SORT: RequirementSort = '-score';
const TEXT_KEYS = ['q', 'owner_id', 'team_id', 'release', 'customer_id', 'ticket_id', 'tag'] as const;

function listOf<T extends string>(value: string | null, allowed: readonly T[]): T[] {
  if (!value) return [];
  return [...new Set(value.split(',').filter((v): v is T => (allowed as readonly string[]).includes(v)))];
}

export function emptyRequirementFilters(): RequirementFilters {
  return { status: [], category: [], source_channel: [], sort: DEFAULT_SORT };
}

/** Reads the filters from a URL; unknown values are dropped rather than sent. */
export function parseRequirementFilters(search: URLSearchParams): RequirementFilters {
  const sort = search.get('sort');
  const f: RequirementFilters = {
    status: listOf(search.get('status'), REQUIREMENT_STATUSES),
    category: listOf(search.get('category'), REQUIREMENT_CATEGORIES),
    source_channel: listOf(search.get('source_channel'), REQUIREMENT_SOURCES),
    sort: sort && (REQUIREMENT_SORTS as readonly string[]).includes(sort) ? (sort as RequirementSort) : DEFAULT_SORT,
  };
  for (const key of TEXT_KEYS) {
    const v = search.get(key)?.trim();
    if (v) f[key] = v;
  }
  return f;
}

/** Writes the filters to a query string, leaving out empty values and the default order. */
export function requirementFiltersToSearch(f: RequirementFilters): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of TEXT_KEYS) {
    const v = f[key];
    if (v) out.set(key, v);
  }
  if (f.status.length > 0) out.set('status', f.status.join(','));
  if (f.category.length > 0) out.set('category', f.category.join(','));
  if (f.source_channel.length > 0) out.set('source_channel', f.source_channel.join(','));
  if (f.sort !== DEFAULT_SORT) out.set('sort', f.sort);
  return out;
}

/** The query of `GET /requirements` (and the board, which takes the same filters). */
export function requirementFiltersToQuery(f: RequirementFilters): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of requirementFiltersToSearch(f)) q[k] = v;
  return q;
}
