import { CHANNELS, TASK_STATUSES, TASK_VIEWS } from '../../api/types';
import { day, manyOf, setting, text, textSetting, urlFilters } from '../../ui/filterSpec';
import type { TaskQuery } from './useTasks';

export const INTERACTION_SORTS = ['-occurred_at', 'occurred_at'] as const;
export type InteractionSort = (typeof INTERACTION_SORTS)[number];
export const DEFAULT_INTERACTION_SORT: InteractionSort = '-occurred_at';

/** The interaction list's filters: what the URL query string holds and what `GET /interactions` takes. */
const interactionFilters = urlFilters(
  {
    q: text(),
    customer_id: text(),
    contact_id: text(),
    owner_id: text(),
    channel: manyOf(CHANNELS),
    occurred_at_from: day(),
    occurred_at_to: day(),
    sort: setting(INTERACTION_SORTS, DEFAULT_INTERACTION_SORT),
  },
  (f) => {
    // a contact belongs to a customer: without the customer the contact filter is dropped
    if (!f.customer_id) delete f.contact_id;
  },
);

export type InteractionFilters = ReturnType<typeof interactionFilters.parse>;
export const {
  parse: parseInteractionFilters,
  toSearch: interactionFiltersToSearch,
  toQuery: interactionFiltersToQuery,
  activeCount: activeInteractionFilterCount,
} = interactionFilters;

/** "My tasks": the view, whose tasks (`me` or a user's id), which statuses (in the view "all" only) and a search. */
const taskFilters = urlFilters(
  {
    view: setting(TASK_VIEWS, 'all'),
    assignee_id: textSetting('me'),
    status: manyOf(TASK_STATUSES),
    q: text(),
  },
  (f) => {
    // the other views are of open tasks: a status filter would contradict them
    if (f.view !== 'all') f.status = [];
  },
);

export type TaskFilters = ReturnType<typeof taskFilters.parse>;
export const { parse: parseTaskFilters, toSearch: taskFiltersToSearch } = taskFilters;

/** What `GET /tasks` is asked for these filters. */
export function taskQueryOf(f: TaskFilters): TaskQuery {
  return { view: f.view, assignee_id: f.assignee_id, ...(f.status.length > 0 ? { status: f.status.join(',') } : {}), ...(f.q ? { q: f.q } : {}) };
}
