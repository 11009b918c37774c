import type { TicketStatus } from '../../api/types';

/**
 * The service process, as the server's `TicketStatus::can_move_to` has it:
 * 已受理 → 处理中 ⇄ 待客户 → 已解决 → 已关闭, a new ticket may also be resolved at once, any open
 * ticket closed (with a reason unless it was resolved: see {@link needsCloseReason}), and a resolved
 * one reopened (back to 处理中). A closed ticket is final.
 */
export const NEXT_STATUSES: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['in_progress', 'waiting_customer', 'resolved', 'closed'],
  in_progress: ['waiting_customer', 'resolved', 'closed'],
  waiting_customer: ['in_progress', 'resolved', 'closed'],
  resolved: ['in_progress', 'closed'],
  closed: [],
};

/** What a move is called on its button: the same target status reads differently depending on where it starts. */
export type StatusAction = 'start' | 'wait' | 'resume' | 'resolve' | 'reopen' | 'close';

export interface StatusMove {
  to: TicketStatus;
  action: StatusAction;
}

function actionFor(from: TicketStatus, to: TicketStatus): StatusAction {
  switch (to) {
    case 'in_progress':
      return from === 'resolved' ? 'reopen' : from === 'waiting_customer' ? 'resume' : 'start';
    case 'waiting_customer':
      return 'wait';
    case 'resolved':
      return 'resolve';
    case 'closed':
      return 'close';
    case 'new':
      return 'start';
  }
}

/** The moves a ticket in `status` may make, in the order the buttons show them. */
export function allowedMoves(status: TicketStatus): StatusMove[] {
  return (NEXT_STATUSES[status] ?? []).map((to) => ({ to, action: actionFor(status, to) }));
}

export const STATUS_ACTIONS: readonly StatusAction[] = ['start', 'wait', 'resume', 'resolve', 'reopen', 'close'];

/** Whether closing a ticket in `status` needs a reason: it does unless the ticket was resolved (`TicketStatus::check_move`). */
export function needsCloseReason(status: TicketStatus): boolean {
  return status !== 'resolved';
}
