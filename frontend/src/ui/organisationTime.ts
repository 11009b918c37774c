import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import { useMe } from '../modules/auth/useSession';

dayjs.extend(utc);
dayjs.extend(timezone);

/** The server's default `time_zone`, used until `/auth/me` has answered. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const DAY = 'YYYY-MM-DD';

/**
 * The organisation's calendar day at `now`, `YYYY-MM-DD`. Days are the organisation's, not the
 * browser's nor UTC: at 01:14 in Shanghai (17:14 UTC the day before) today is the Shanghai date.
 */
export function organisationToday(timeZone: string, now: Date = new Date()): string {
  try {
    return dayjs(now).tz(timeZone).format(DAY);
  } catch {
    // an unknown zone name (RangeError from Intl): the server's default rather than a crash
    return dayjs(now).tz(DEFAULT_TIME_ZONE).format(DAY);
  }
}

/** The first day of the organisation's current month, `YYYY-MM-DD`. */
export function organisationMonthStart(timeZone: string, now: Date = new Date()): string {
  return `${organisationToday(timeZone, now).slice(0, 7)}-01`;
}

/**
 * The instant `hour`:00 strikes on the organisation's day after today (a default due time): the
 * organisation's tomorrow, not the browser's, which at 01:14 in Shanghai is still a day behind in
 * a browser set to UTC.
 */
export function organisationTomorrowAt(timeZone: string, hour: number, now: Date = new Date()): Date {
  const tomorrow = dayjs(organisationToday(timeZone, now)).add(1, 'day').format(DAY);
  const wallTime = `${tomorrow} ${String(hour).padStart(2, '0')}:00`;
  try {
    return dayjs.tz(wallTime, timeZone).toDate();
  } catch {
    return dayjs.tz(wallTime, DEFAULT_TIME_ZONE).toDate();
  }
}

export interface DayRange {
  from: string;
  to: string;
}

/** The sales report's range: by default this month up to today, in the organisation's zone. */
export function salesReportRange(timeZone: string, chosen: Partial<DayRange> = {}, now: Date = new Date()): DayRange {
  const to = chosen.to ?? organisationToday(timeZone, now);
  return { from: chosen.from ?? `${to.slice(0, 7)}-01`, to };
}

/** The funnel's range: by default the 365 days up to today, in the organisation's zone. */
export function funnelRange(timeZone: string, chosen: Partial<DayRange> = {}, now: Date = new Date()): DayRange {
  const to = chosen.to ?? organisationToday(timeZone, now);
  return { from: chosen.from ?? dayjs(to).subtract(365, 'day').format(DAY), to };
}

/** The organisation's time zone as the server reports it on `/auth/me`. */
export function useOrganisationTimeZone(): string {
  return useMe().data?.time_zone ?? DEFAULT_TIME_ZONE;
}
