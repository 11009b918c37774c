import { REQUIREMENT_CATEGORIES, REQUIREMENT_SORTS, REQUIREMENT_SOURCES, REQUIREMENT_STATUSES, type RequirementSort } from '../../api/types';
import { manyOf, setting, text, urlFilters } from '../../ui/filterSpec';

export const DEFAULT_SORT: RequirementSort = '-score';

/** The list's filters and order: what the URL's query string holds and what `GET /requirements` (and the board) takes. */
const requirementFilters = urlFilters({
  q: text(),
  owner_id: text(),
  team_id: text(),
  release: text(),
  customer_id: text(),
  ticket_id: text(),
  tag: text(),
  status: manyOf(REQUIREMENT_STATUSES),
  category: manyOf(REQUIREMENT_CATEGORIES),
  source_channel: manyOf(REQUIREMENT_SOURCES),
  sort: setting(REQUIREMENT_SORTS, DEFAULT_SORT),
});

export type RequirementFilters = ReturnType<typeof requirementFilters.parse>;
export const {
  parse: parseRequirementFilters,
  toSearch: requirementFiltersToSearch,
  toQuery: requirementFiltersToQuery,
  empty: emptyRequirementFilters,
} = requirementFilters;
