import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import i18n from '../../i18n';
import { SlaBadge } from './labels';
import { clockInfo, formatSpan, slaLabel, slaSummary, type SlaTicket } from './sla';
import { elapsedPercent, workingMsBetween, type Schedule } from './slaClock';

const MIN = 60_000;
const H = 60 * MIN;
const at = (iso: string) => Date.parse(iso);

/** A running ticket opened at 10:00 UTC, first response due 12:00, resolution due 20:00. */
const base: SlaTicket = {
  status: 'new',
  created_at: '2026-11-23T10:00:00Z',
  first_response_due_at: '2026-11-23T12:00:00Z',
  resolution_due_at: '2026-11-23T20:00:00Z',
  first_responded_at: null,
  resolved_at: null,
  closed_at: null,
  paused_at: null,
  first_response_breached: false,
  resolution_breached: false,
};
const aroundTheClock: Schedule = { kind: 'around_the_clock' };
/** Shanghai office hours, Monday to Friday 09:00–18:00 (01:00–10:00 UTC). */
const officeHours = { time_zone: 'Asia/Shanghai', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00', holidays: [], extra_workdays: [] };
const office: Schedule = { kind: 'business_hours', calendar: officeHours };

describe('the SLA badge text', () => {
  it('says the time left in its two largest units, rounded down, in either language', async () => {
    const t = i18n.getFixedT('en');
    expect(slaLabel({ state: 'on_track', msLeft: 2 * H + 15 * MIN + 59_000 }, t)).toBe('2h 15m left');
    expect(slaLabel({ state: 'on_track', msLeft: 27 * H + 40 * MIN }, t)).toBe('1d 3h left');
    expect(formatSpan(3 * H, t)).toBe('3h');
    expect(formatSpan(48 * H + 30 * MIN, t)).toBe('2d');
    expect(formatSpan(45 * MIN, t)).toBe('45m');
    expect(formatSpan(20_000, t)).toBe('< 1m');
    // working-time targets: hours, not days
    expect(formatSpan(27 * H, t, { days: false })).toBe('27h');
    expect(formatSpan(45 * H + 30 * MIN, t, { days: false })).toBe('45h 30m');
    const zh = i18n.getFixedT('zh-CN');
    expect(slaLabel({ state: 'at_risk', msLeft: 2 * H + 15 * MIN }, zh)).toBe('剩余 2小时15分');
    expect(slaLabel({ state: 'breached', msLeft: -H }, zh)).toBe('已超时');
    expect(slaLabel({ state: 'paused', msLeft: H }, zh)).toBe('已暂停');
    expect(slaLabel({ state: 'breached', msLeft: -H }, t)).toBe('breached');
    expect(slaLabel({ state: 'paused', msLeft: H }, t)).toBe('paused');
  });
});

describe('the SLA state of a ticket', () => {
  it('counts down to the first response until a public reply, then to the resolution', () => {
    const now = at('2026-11-23T10:30:00Z');
    const info = slaSummary(base, now, aroundTheClock);
    expect(info).toMatchObject({ clock: 'first_response', state: 'on_track', msLeft: 90 * MIN, percent: 25 });
    const answered = { ...base, status: 'in_progress' as const, first_responded_at: '2026-11-23T10:20:00Z' };
    expect(slaSummary(answered, now, aroundTheClock)).toMatchObject({ clock: 'resolution', state: 'on_track', msLeft: 9.5 * H });
    expect(clockInfo(answered, 'first_response', now).state).toBe('met');
  });

  it('is at risk once 80 % of the working time is gone, and only when the calendar is known', () => {
    const now = at('2026-11-23T11:40:00Z'); // 100 of 120 minutes
    expect(slaSummary(base, now, aroundTheClock)).toMatchObject({ state: 'at_risk', percent: 83 });
    expect(slaSummary(base, at('2026-11-23T11:30:00Z'), aroundTheClock)).toMatchObject({ state: 'on_track', percent: 75 });
    // without the policy's calendar there is no telling: a plain countdown
    expect(slaSummary(base, now)).toMatchObject({ state: 'on_track', percent: null });
  });

  it('measures the share in working time on a business calendar', () => {
    // opened Friday 17:00 Shanghai (09:00 UTC), first response due Monday 10:00 Shanghai: 2 working hours
    const friday: SlaTicket = { ...base, created_at: '2026-11-27T09:00:00Z', first_response_due_at: '2026-11-30T02:00:00Z', resolution_due_at: '2026-11-30T08:00:00Z' };
    // Monday 09:30 Shanghai: 90 of 120 working minutes gone, though most of the wall-clock time was the weekend
    expect(slaSummary(friday, at('2026-11-30T01:30:00Z'), office)).toMatchObject({ state: 'on_track', percent: 75 });
    expect(slaSummary(friday, at('2026-11-30T01:40:00Z'), office)).toMatchObject({ state: 'at_risk', percent: 83 });
    // Saturday: still the hour of Friday only
    expect(slaSummary(friday, at('2026-11-28T06:00:00Z'), office)).toMatchObject({ state: 'on_track', percent: 50 });
  });

  it('is breached when the server flagged it or the due time has passed', () => {
    expect(slaSummary({ ...base, first_response_breached: true }, at('2026-11-23T10:30:00Z')).state).toBe('breached');
    expect(slaSummary(base, at('2026-11-23T12:01:00Z')).state).toBe('breached');
    // a late first response stays a breach while the resolution clock runs
    const lateReply = { ...base, status: 'in_progress' as const, first_responded_at: '2026-11-23T12:30:00Z', first_response_breached: true };
    expect(slaSummary(lateReply, at('2026-11-23T13:00:00Z'))).toMatchObject({ clock: 'resolution', state: 'breached' });
  });

  it('is paused while waiting for the customer, even past the old due time (it moves on resume)', () => {
    const waiting = { ...base, status: 'waiting_customer' as const, paused_at: '2026-11-23T10:10:00Z' };
    expect(slaSummary(waiting, at('2026-11-23T13:00:00Z'), aroundTheClock).state).toBe('paused');
    // a breach that happened before the pause still shows
    expect(slaSummary({ ...waiting, first_response_breached: true }, at('2026-11-23T13:00:00Z')).state).toBe('breached');
  });

  it('is met once resolved in time, breached when resolved late', () => {
    const resolved = { ...base, status: 'resolved' as const, first_responded_at: '2026-11-23T10:20:00Z', resolved_at: '2026-11-23T15:00:00Z' };
    expect(slaSummary(resolved, at('2026-11-24T00:00:00Z')).state).toBe('met');
    expect(slaSummary({ ...resolved, resolution_breached: true }, at('2026-11-24T00:00:00Z')).state).toBe('breached');
    // closed without a public reply: the first response no longer applies
    const closed = { ...base, status: 'closed' as const, closed_at: '2026-11-23T10:30:00Z' };
    expect(clockInfo(closed, 'first_response', at('2026-11-23T11:00:00Z')).state).toBe('stopped');
    expect(slaSummary(closed, at('2026-11-23T11:00:00Z')).state).toBe('met');
  });
});

describe('the SLA clock', () => {
  it('counts plain time around the clock and working hours on a calendar', () => {
    expect(workingMsBetween(aroundTheClock, at('2026-11-27T09:00:00Z'), at('2026-11-30T02:00:00Z'))).toBe(65 * H);
    // Friday 17:00 → Monday 10:00 Shanghai: one hour on Friday, one on Monday
    expect(workingMsBetween(office, at('2026-11-27T09:00:00Z'), at('2026-11-30T02:00:00Z'))).toBe(2 * H);
    expect(workingMsBetween(office, at('2026-11-30T02:00:00Z'), at('2026-11-27T09:00:00Z'))).toBe(0);
  });

  it('skips holidays and works make-up days (调休)', () => {
    const cn: Schedule = { kind: 'business_hours', calendar: { ...officeHours, holidays: ['2026-10-01', '2026-10-02'], extra_workdays: ['2026-10-10'] } };
    // Wednesday 30 Sept 17:00 → Saturday 10 Oct 10:00 Shanghai: Sept 30 (1 h), Oct 1–2 off, Oct 5–9 (5 × 9 h), Oct 10 worked (1 h)
    expect(workingMsBetween(cn, at('2026-09-30T09:00:00Z'), at('2026-10-10T02:00:00Z'))).toBe(47 * H);
    expect(elapsedPercent(cn, at('2026-09-30T09:00:00Z'), at('2026-10-10T02:00:00Z'), at('2026-10-05T01:00:00Z'))).toBe(2);
  });
});

describe('<SlaBadge>', () => {
  it('shows the state as text and colour', async () => {
    await i18n.changeLanguage('en');
    const { rerender } = render(<SlaBadge ticket={base} now={at('2026-11-23T09:45:00Z')} schedule={aroundTheClock} />);
    const badge = () => screen.getByTestId('sla-badge');
    expect(badge()).toHaveTextContent('2h 15m left');
    expect(badge()).toHaveAttribute('data-state', 'on_track');
    rerender(<SlaBadge ticket={base} now={at('2026-11-23T11:45:00Z')} schedule={aroundTheClock} />);
    expect(badge()).toHaveAttribute('data-state', 'at_risk');
    expect(badge().className).toMatch(/warning/);
    rerender(<SlaBadge ticket={{ ...base, resolution_breached: true }} now={at('2026-11-23T10:45:00Z')} />);
    expect(badge()).toHaveTextContent('breached');
    expect(badge().className).toMatch(/error/);
    rerender(<SlaBadge ticket={{ ...base, status: 'waiting_customer', paused_at: '2026-11-23T10:10:00Z' }} now={at('2026-11-23T10:45:00Z')} />);
    expect(badge()).toHaveTextContent('paused');
    expect(badge()).toHaveAttribute('data-state', 'paused');
    await i18n.changeLanguage('zh-CN');
    rerender(<SlaBadge ticket={base} now={at('2026-11-23T09:45:00Z')} clock="resolution" />);
    expect(badge()).toHaveTextContent('剩余 10小时15分');
    expect(badge()).toHaveAttribute('data-clock', 'resolution');
  });
});
