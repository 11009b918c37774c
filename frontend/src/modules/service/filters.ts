import {
  TICKET_KINDS, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_VIEWS, type TicketKind, type TicketPriority, type TicketStatus, type TicketView,
} from '../../api/types';

/** The queue's view and filters: what the URL's query string holds and what `GET /tickets` takes. */
export interface TicketFilters {
  view: TicketView;
  q?: string;
  status: TicketStatus[];
  priority: TicketPriority[];
  kind: TicketKind[];
  assignee_id?: string;
  team_id?: string;
  customer_id?: string;
  breached?: boolean;
  due_from?: string;
  due_to?: string;
}

export const DEFAULT_TICKET_VIEW: TicketView = 'my_queue';
const TEXT_KEYS = ['q', 'assignee_id', 'team_id', 'customer_id'] as const;
const DATE_KEYS = ['due_from', 'due_to'] as const;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function listOf<T extends string>(value: string | null, allowed: readonly T[]): T[] {
  if (!value) return [];
  return [...new Set(value.split(',').filter((v): v is T => (allowed as readonly string[]).includes(v)))];
}

/** Reads the queue's filters from a URL; unknown or malformed values are dropped rather than sent. */
export function parseTicketFilters(search: URLSearchParams): TicketFilters {
  const view = search.get('view');
  const f: TicketFilters = {
    view: view && (TICKET_VIEWS as readonly string[]).includes(view) ? (view as TicketView) : DEFAULT_TICKET_VIEW,
    status: listOf(search.get('status'), TICKET_STATUSES),
    priority: listOf(search.get('priority'), TICKET_PRIORITIES),
    kind: listOf(search.get('kind'), TICKET_KINDS),
  };
  for (const key of TEXT_KEYS) {
    const v = search.get(key)?.trim();
    if (v) f[key] = v;
  }
  for (const key of DATE_KEYS) {
    const v = search.get(key);
    if (v && DATE_RE.test(v)) f[key] = v;
  }
  const breached = search.get('breached');
  if (breached === 'true' || breached === 'false') f.breached = breached === 'true';
  // "my queue" is the caller's open tickets: another assignee or a status would contradict it
  if (f.view === 'my_queue') {
    delete f.assignee_id;
    f.status = [];
  }
  // "unassigned" has no assignee to filter by
  if (f.view === 'unassigned') delete f.assignee_id;
  return f;
}

/** Writes the filters to a URL query string, leaving out empty values and the default view. */
export function ticketFiltersToSearch(f: TicketFilters): URLSearchParams {
  const out = new URLSearchParams();
  if (f.view !== DEFAULT_TICKET_VIEW) out.set('view', f.view);
  for (const key of TEXT_KEYS) {
    const v = f[key];
    if (v) out.set(key, v);
  }
  if (f.status.length > 0) out.set('status', f.status.join(','));
  if (f.priority.length > 0) out.set('priority', f.priority.join(','));
  if (f.kind.length > 0) out.set('kind', f.kind.join(','));
  if (f.breached !== undefined) out.set('breached', String(f.breached));
  for (const key of DATE_KEYS) {
    const v = f[key];
    if (v) out.set(key, v);
  }
  return out;
}

/** The query of `GET /tickets`: the view is the API's `view` except "all", which sends none. */
export function ticketFiltersToQuery(f: TicketFilters): Record<string, string | boolean> {
  const q: Record<string, string | boolean> = {};
  for (const [k, v] of ticketFiltersToSearch(f)) q[k] = v;
  delete q.view;
  if (f.view !== 'all') q.view = f.view;
  if (f.breached !== undefined) q.breached = f.breached;
  return q;
}

export function activeTicketFilterCount(f: TicketFilters): number {
  return [...ticketFiltersToSearch(f).keys()].filter((k) => k !== 'view').length;
}
