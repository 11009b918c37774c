import { describe, expect, it } from 'vitest';
import { TICKET_STATUSES } from '../../api/types';
import { allowedMoves, needsCloseReason, NEXT_STATUSES } from './transitions';

const moves = (s: Parameters<typeof allowedMoves>[0]) => allowedMoves(s).map((m) => `${m.action}→${m.to}`);

describe('the status actions a ticket offers', () => {
  it('follow the service process: 已受理 → 处理中 ⇄ 待客户 → 已解决 → 已关闭, reopen from resolved, close when open', () => {
    expect(moves('new')).toEqual(['start→in_progress', 'wait→waiting_customer', 'resolve→resolved', 'close→closed']);
    expect(moves('in_progress')).toEqual(['wait→waiting_customer', 'resolve→resolved', 'close→closed']);
    expect(moves('waiting_customer')).toEqual(['resume→in_progress', 'resolve→resolved', 'close→closed']);
    expect(moves('resolved')).toEqual(['reopen→in_progress', 'close→closed']);
    expect(moves('closed')).toEqual([]);
  });

  it('never offer what the server refuses', () => {
    // the server's own examples (crm_domain::service::TicketStatus::can_move_to)
    expect(NEXT_STATUSES.closed).not.toContain('in_progress');
    expect(NEXT_STATUSES.resolved).not.toContain('waiting_customer');
    for (const s of TICKET_STATUSES) {
      expect(NEXT_STATUSES[s], s).not.toContain(s);
      expect(NEXT_STATUSES[s], s).not.toContain('new');
    }
  });
});

describe('closing', () => {
  it('needs a reason unless the ticket was resolved first', () => {
    for (const open of ['new', 'in_progress', 'waiting_customer'] as const) expect(needsCloseReason(open), open).toBe(true);
    expect(needsCloseReason('resolved')).toBe(false);
  });
});
