import { TICKET_KINDS, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_VIEWS, type TicketView } from '../../api/types';
import { day, flag, manyOf, setting, text, urlFilters } from '../../ui/filterSpec';

export const DEFAULT_TICKET_VIEW: TicketView = 'my_queue';

/** The queue's view and filters: what the URL's query string holds and what `GET /tickets` takes. */
const ticketFilters = urlFilters(
  {
    view: setting(TICKET_VIEWS, DEFAULT_TICKET_VIEW),
    q: text(),
    assignee_id: text(),
    team_id: text(),
    customer_id: text(),
    status: manyOf(TICKET_STATUSES),
    priority: manyOf(TICKET_PRIORITIES),
    kind: manyOf(TICKET_KINDS),
    breached: flag(),
    due_from: day(),
    due_to: day(),
  },
  (f) => {
    // "my queue" is the caller's open tickets: another assignee or a status would contradict it
    if (f.view === 'my_queue') f.status = [];
    // "my queue" and "unassigned" have no assignee to filter by
    if (f.view !== 'all') delete f.assignee_id;
  },
);

export type TicketFilters = ReturnType<typeof ticketFilters.parse>;
export const { parse: parseTicketFilters, toSearch: ticketFiltersToSearch, activeCount: activeTicketFilterCount } = ticketFilters;

/** The query of `GET /tickets`: the view is the API's `view` except "all", which sends none; breached is a boolean. */
export function ticketFiltersToQuery(f: TicketFilters): Record<string, string | boolean> {
  const { view, breached, ...query } = ticketFilters.toQuery(f);
  return { ...query, ...(view && view !== 'all' ? { view } : {}), ...(f.breached !== undefined ? { breached: f.breached } : {}) };
}
