import type { PortalTicket } from '../../../api/types';

/** What the customer is told about a ticket's progress, and the time it refers to. */
export type PortalProgress =
  | { key: 'answerBy' | 'answerLate' | 'solveBy' | 'solveLate'; at: string }
  | { key: 'waitingForYou' }
  | { key: 'solvedOn' | 'closedOn'; at: string | null };

/**
 * Friendly wording for the ticket's due times: before the first answer "we will answer by …", then
 * "we aim to solve it by …", "we are waiting for your reply" while paused, and when it was solved.
 * Past a promised time it says sorry instead of showing a time in the past.
 */
export function portalProgress(t: Pick<PortalTicket, 'status' | 'first_responded_at' | 'first_response_due_at' | 'resolution_due_at' | 'resolved_at' | 'closed_at'>, now = Date.now()): PortalProgress {
  if (t.status === 'closed') return { key: 'closedOn', at: t.closed_at ?? null };
  if (t.status === 'resolved') return { key: 'solvedOn', at: t.resolved_at ?? null };
  if (t.status === 'waiting_customer') return { key: 'waitingForYou' };
  if (!t.first_responded_at) {
    return { key: Date.parse(t.first_response_due_at) < now ? 'answerLate' : 'answerBy', at: t.first_response_due_at };
  }
  return { key: Date.parse(t.resolution_due_at) < now ? 'solveLate' : 'solveBy', at: t.resolution_due_at };
}

/** Whether the customer may rate the service: once solved, and only once. */
export function canRate(t: Pick<PortalTicket, 'status' | 'satisfaction_rating'>): boolean {
  return (t.status === 'resolved' || t.status === 'closed') && (t.satisfaction_rating === null || t.satisfaction_rating === undefined);
}
