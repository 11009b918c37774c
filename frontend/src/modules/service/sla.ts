import type { TFunction } from 'i18next';
import type { Ticket } from '../../api/types';
import { elapsedPercent, type Schedule } from './slaClock';

/** The two SLA clocks of a ticket. */
export type SlaClock = 'first_response' | 'resolution';

/**
 * - `on_track`: running, less than 80 % of its working time gone
 * - `at_risk`: running, 80 % or more gone (the server warns the assignee then too)
 * - `breached`: the server flagged it, or its due time has passed while it runs
 * - `paused`: the ticket waits for the customer, the clocks stand still
 * - `met`: stopped in time (answered, or resolved)
 * - `stopped`: no longer applies (a ticket closed without a public reply has no first response)
 */
export type SlaState = 'on_track' | 'at_risk' | 'breached' | 'paused' | 'met' | 'stopped';

export const AT_RISK_PERCENT = 80;

export type SlaTicket = Pick<
  Ticket,
  | 'status' | 'created_at' | 'first_response_due_at' | 'resolution_due_at' | 'first_responded_at' | 'resolved_at' | 'closed_at'
  | 'paused_at' | 'first_response_breached' | 'resolution_breached'
>;

export interface ClockInfo {
  clock: SlaClock;
  state: SlaState;
  dueAt: string;
  /** Milliseconds until the due time (negative once past). */
  msLeft: number;
  /** Share of the working time gone, when the ticket's calendar is known. */
  percent: number | null;
}

const isDone = (t: SlaTicket) => t.status === 'resolved' || t.status === 'closed';
const isPaused = (t: SlaTicket) => Boolean(t.paused_at) || t.status === 'waiting_customer';

/** One clock of a ticket at `now`; `schedule` is its SLA policy's, when known (for the at-risk share). */
export function clockInfo(t: SlaTicket, clock: SlaClock, now: number, schedule?: Schedule): ClockInfo {
  const dueAt = clock === 'first_response' ? t.first_response_due_at : t.resolution_due_at;
  const due = Date.parse(dueAt);
  const flagged = clock === 'first_response' ? t.first_response_breached : t.resolution_breached;
  const stoppedAt = clock === 'first_response' ? t.first_responded_at : (t.resolved_at ?? t.closed_at);
  const base = { clock, dueAt, msLeft: due - now };
  if (stoppedAt) {
    return { ...base, state: flagged || Date.parse(stoppedAt) > due ? 'breached' : 'met', percent: null };
  }
  if (flagged) return { ...base, state: 'breached', percent: null };
  if (isDone(t)) return { ...base, state: 'stopped', percent: null };
  if (isPaused(t)) return { ...base, state: 'paused', percent: null };
  if (now > due) return { ...base, state: 'breached', percent: 100 };
  const percent = schedule ? elapsedPercent(schedule, Date.parse(t.created_at), due, now) : null;
  return { ...base, state: percent !== null && percent >= AT_RISK_PERCENT ? 'at_risk' : 'on_track', percent };
}

/** The clock that runs next: the first response until a public reply, then the resolution. */
export function currentClock(t: SlaTicket): SlaClock {
  return t.first_responded_at || isDone(t) ? 'resolution' : 'first_response';
}

/**
 * The queue's one badge: any breach shows as breached; a resolved or closed ticket as met;
 * otherwise the clock that runs next.
 */
export function slaSummary(t: SlaTicket, now: number, schedule?: Schedule): ClockInfo {
  const current = clockInfo(t, currentClock(t), now, schedule);
  if (current.state === 'breached') return current;
  const other = clockInfo(t, current.clock === 'first_response' ? 'resolution' : 'first_response', now, schedule);
  if (other.state === 'breached') return { ...current, state: 'breached' };
  if (isDone(t)) return { ...current, state: 'met' };
  return current;
}

/**
 * A span in its two largest units, rounded down: "2h 15m", "1d 3h" ("剩余" is added by the caller).
 * `days: false` counts in hours only, for working time, where 27 hours are three working days, not "1d 3h".
 */
export function formatSpan(ms: number, t: TFunction, { days = true }: { days?: boolean } = {}): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const d = days ? Math.floor(minutes / 1440) : 0;
  const h = Math.floor((minutes - d * 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? t('sla.span.dh', { d, h }) : t('sla.span.d', { d });
  if (h > 0) return m > 0 ? t('sla.span.hm', { h, m }) : t('sla.span.h', { h });
  if (m > 0) return t('sla.span.m', { m });
  return t('sla.span.lessThanMinute');
}

/** The badge's words: "2h 15m left" / "剩余 2小时15分", "breached" / "已超时", "paused" / "已暂停"… */
export function slaLabel(info: Pick<ClockInfo, 'state' | 'msLeft'>, t: TFunction): string {
  switch (info.state) {
    case 'on_track':
    case 'at_risk':
      return t('sla.left', { time: formatSpan(info.msLeft, t) });
    case 'breached':
      return t('sla.breached');
    case 'paused':
      return t('sla.paused');
    case 'met':
      return t('sla.met');
    case 'stopped':
      return t('sla.stopped');
  }
}

export const SLA_COLORS: Record<SlaState, string> = {
  on_track: 'processing',
  at_risk: 'warning',
  breached: 'error',
  paused: 'default',
  met: 'success',
  stopped: 'default',
};
