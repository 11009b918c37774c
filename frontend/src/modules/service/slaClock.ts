import type { CalendarSpec, SlaPolicy } from '../../api/types';

/**
 * The SLA clock's working time, as the server measures it (`crm_domain::service::Schedule`):
 * around the clock, or the working hours of a business calendar in its time zone, with holidays
 * off and make-up working days (调休) on. Used for the "at risk" share only; due times and breach
 * flags always come from the server.
 */
export type Schedule = { kind: 'around_the_clock' } | { kind: 'business_hours'; calendar: CalendarSpec };

export function scheduleOf(policy: Pick<SlaPolicy, 'business_hours' | 'calendar'>): Schedule {
  return policy.business_hours ? { kind: 'business_hours', calendar: policy.calendar } : { kind: 'around_the_clock' };
}

const WEEKDAY_INDEX: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MINUTE = 60_000;
const DAY = 86_400_000;
/** A calendar is looked at for at most this many days (the server's targets are at most a year). */
const MAX_DAYS = 800;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a time zone. */
function localParts(ms: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year ?? 1970, m: parts.month ?? 1, d: parts.day ?? 1, h: parts.hour ?? 0, min: parts.minute ?? 0, s: parts.second ?? 0 };
}

/** Milliseconds the zone is ahead of UTC at an instant. */
function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant of a local wall-clock time (a date as days since the epoch, minutes into the day). */
function zonedInstant(epochDay: number, minuteOfDay: number, timeZone: string): number {
  const wall = epochDay * DAY + minuteOfDay * MINUTE;
  const first = wall - offsetAt(wall, timeZone);
  // a second look settles instants near an offset change
  return wall - offsetAt(first, timeZone);
}

function localEpochDay(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return Math.floor(Date.UTC(p.y, p.m - 1, p.d) / DAY);
}

function isoDay(epochDay: number): string {
  return new Date(epochDay * DAY).toISOString().slice(0, 10);
}

function minutesOf(hhmm: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}

function isWorkingDay(c: CalendarSpec, epochDay: number): boolean {
  const iso = isoDay(epochDay);
  if ((c.extra_workdays ?? []).includes(iso)) return true;
  const weekday = new Date(epochDay * DAY).getUTCDay();
  return c.weekdays.some((d) => WEEKDAY_INDEX[d] === weekday) && !(c.holidays ?? []).includes(iso);
}

/** Working milliseconds between two instants (0 when `to` is not after `from`). */
export function workingMsBetween(schedule: Schedule, from: number, to: number): number {
  if (!(to > from)) return 0;
  if (schedule.kind === 'around_the_clock') return to - from;
  const c = schedule.calendar;
  const start = minutesOf(c.start);
  const end = minutesOf(c.end);
  if (start === null || end === null || start >= end) return to - from;
  let total = 0;
  const last = localEpochDay(to, c.time_zone);
  for (let day = localEpochDay(from, c.time_zone), n = 0; day <= last && n < MAX_DAYS; day++, n++) {
    if (!isWorkingDay(c, day)) continue;
    const open = zonedInstant(day, start, c.time_zone);
    const close = zonedInstant(day, end, c.time_zone);
    const a = Math.max(from, open);
    const b = Math.min(to, close);
    if (a < b) total += b - a;
  }
  return total;
}

/**
 * How much of the time between `started` and `due` has gone by at `now`, in per cent of working
 * time: the server's `Schedule::elapsed_percent`, which its 80 % warning uses.
 */
export function elapsedPercent(schedule: Schedule, started: number, due: number, now: number): number {
  const total = Math.floor(workingMsBetween(schedule, started, due) / MINUTE);
  if (total <= 0) return 100;
  return Math.floor((Math.floor(workingMsBetween(schedule, started, now) / MINUTE) * 100) / total);
}
