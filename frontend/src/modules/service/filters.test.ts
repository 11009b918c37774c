import { describe, expect, it } from 'vitest';
import { parseTicketFilters, ticketFiltersToQuery, ticketFiltersToSearch } from './filters';

describe('ticket queue filters', () => {
  it('round-trip through the URL and drop what they do not know', () => {
    const search = new URLSearchParams(
      'view=all&status=new,bogus,resolved&priority=urgent&kind=complaint&assignee_id=u1&team_id=t1&customer_id=c1&breached=true&due_from=2026-11-01&due_to=nope&q=%20printer%20',
    );
    const f = parseTicketFilters(search);
    expect(f).toEqual({
      view: 'all', status: ['new', 'resolved'], priority: ['urgent'], kind: ['complaint'], assignee_id: 'u1', team_id: 't1', customer_id: 'c1',
      breached: true, due_from: '2026-11-01', q: 'printer',
    });
    expect(parseTicketFilters(ticketFiltersToSearch(f))).toEqual(f);
  });

  it('default to my queue, which fixes the assignee and the open statuses itself', () => {
    const f = parseTicketFilters(new URLSearchParams('status=closed&assignee_id=u2&priority=high'));
    expect(f).toMatchObject({ view: 'my_queue', status: [], priority: ['high'] });
    expect(f.assignee_id).toBeUndefined();
    expect(ticketFiltersToSearch(f).toString()).toBe('priority=high');
    expect(ticketFiltersToQuery(f)).toEqual({ view: 'my_queue', priority: 'high' });
  });

  it('send no view for "all" and a boolean for breached', () => {
    const f = parseTicketFilters(new URLSearchParams('view=all&breached=false'));
    expect(ticketFiltersToQuery(f)).toEqual({ breached: false });
    expect(ticketFiltersToQuery(parseTicketFilters(new URLSearchParams('view=unassigned&assignee_id=x')))).toEqual({ view: 'unassigned' });
  });
});
