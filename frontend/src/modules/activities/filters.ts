import { CHANNELS, type Channel } from '../../api/types';

export const INTERACTION_SORTS = ['-occurred_at', 'occurred_at'] as const;
export type InteractionSort = (typeof INTERACTION_SORTS)[number];
export const DEFAULT_INTERACTION_SORT: InteractionSort = '-occurred_at';

/** The interaction list's filters: what the URL query string holds and what `GET /interactions` takes. */
export interface InteractionFilters {
  q?: string;
  customer_id?: string;
  contact_id?: string;
  channel: Channel[];
  owner_id?: string;
  occurred_at_from?: string;
  occurred_at_to?: string;
  sort: InteractionSort;
}

const TEXT_KEYS = ['q', 'customer_id', 'contact_id', 'owner_id'] as const;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function isChannel(v: string): v is Channel {
  return (CHANNELS as readonly string[]).includes(v);
}

/** Reads filters from a URL; unknown or malformed values are dropped rather than sent. */
export function parseInteractionFilters(search: URLSearchParams): InteractionFilters {
  const f: InteractionFilters = { channel: [], sort: DEFAULT_INTERACTION_SORT };
  for (const key of TEXT_KEYS) {
    const v = search.get(key)?.trim();
    if (v) f[key] = v;
  }
  const channels = search.get('channel');
  if (channels) f.channel = [...new Set(channels.split(',').filter(isChannel))];
  const from = search.get('occurred_at_from');
  if (from && DATE_RE.test(from)) f.occurred_at_from = from;
  const to = search.get('occurred_at_to');
  if (to && DATE_RE.test(to)) f.occurred_at_to = to;
  const sort = search.get('sort');
  if (sort && (INTERACTION_SORTS as readonly string[]).includes(sort)) f.sort = sort as InteractionSort;
  // a contact belongs to a customer: without the customer the contact filter is dropped
  if (!f.customer_id) delete f.contact_id;
  return f;
}

/** Writes filters to a URL query string, leaving out empty values and the default sort. */
export function interactionFiltersToSearch(f: InteractionFilters): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of TEXT_KEYS) {
    const v = f[key];
    if (v) out.set(key, v);
  }
  if (f.channel.length > 0) out.set('channel', f.channel.join(','));
  if (f.occurred_at_from) out.set('occurred_at_from', f.occurred_at_from);
  if (f.occurred_at_to) out.set('occurred_at_to', f.occurred_at_to);
  if (f.sort !== DEFAULT_INTERACTION_SORT) out.set('sort', f.sort);
  return out;
}

/** The query parameters of `GET /interactions` for these filters. */
export function interactionFiltersToQuery(f: InteractionFilters): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of interactionFiltersToSearch(f)) q[k] = v;
  q.sort = f.sort;
  return q;
}

export function activeInteractionFilterCount(f: InteractionFilters): number {
  return [...interactionFiltersToSearch(f).keys()].filter((k) => k !== 'sort').length;
}
