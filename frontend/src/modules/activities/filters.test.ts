import { describe, expect, it } from 'vitest';
import { activeInteractionFilterCount, interactionFiltersToQuery, interactionFiltersToSearch, parseInteractionFilters } from './filters';

describe('interaction filters', () => {
  it('round-trip through the URL, dropping unknown values', () => {
    const f = parseInteractionFilters(new URLSearchParams('q=quote&customer_id=c1&contact_id=k1&channel=phone,fax,visit&occurred_at_from=2026-03-01&occurred_at_to=bad&sort=occurred_at'));
    expect(f).toEqual({ q: 'quote', customer_id: 'c1', contact_id: 'k1', channel: ['phone', 'visit'], occurred_at_from: '2026-03-01', sort: 'occurred_at' });
    expect(interactionFiltersToSearch(f).toString()).toBe('q=quote&customer_id=c1&contact_id=k1&channel=phone%2Cvisit&occurred_at_from=2026-03-01&sort=occurred_at');
    expect(activeInteractionFilterCount(f)).toBe(5);
  });

  it('drop a contact without its customer and always send the sort', () => {
    const f = parseInteractionFilters(new URLSearchParams('contact_id=k1&owner_id=u1'));
    expect(f).toEqual({ owner_id: 'u1', channel: [], sort: '-occurred_at' });
    expect(interactionFiltersToQuery(f)).toEqual({ owner_id: 'u1', sort: '-occurred_at' });
  });
});
