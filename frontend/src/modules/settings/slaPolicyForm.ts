import dayjs, { type Dayjs } from 'dayjs';
import type { FieldError } from '../../api/problem';
import { TICKET_PRIORITIES, WEEKDAYS, type CreateSlaPolicy, type SlaPolicy, type SlaTargets, type TicketPriority, type UpdateSlaPolicy, type Weekday } from '../../api/types';
import { mapFieldErrors } from '../../ui/formErrors';

/** One priority's targets as the form holds them: whole minutes (the inputs show hours and minutes). */
export interface TargetValues {
  first_response_minutes: number | null;
  resolution_minutes: number | null;
}

/**
 * What the SLA policy form holds. Its names follow the wire shape (`calendar.start`,
 * `targets.urgent.first_response_minutes`), so the server's field errors find their inputs.
 */
export interface SlaPolicyFormValues {
  name: string;
  is_default: boolean;
  business_hours: boolean;
  calendar: {
    time_zone: string;
    weekdays: Weekday[];
    start: Dayjs | null;
    end: Dayjs | null;
    holidays: Dayjs[];
    extra_workdays: Dayjs[];
  };
  targets: Record<TicketPriority, TargetValues>;
}

export const SLA_POLICY_FIELDS = ['name', 'is_default', 'business_hours', 'calendar', 'targets'] as const;
/** Errors about these as a whole (the server checks a calendar or the targets at once) show in their section. */
export const SLA_SECTIONS = ['calendar', 'targets'] as const;
export type SlaSection = (typeof SLA_SECTIONS)[number];

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
/** The largest target the server takes: a year of working minutes. */
export const MAX_TARGET_MINUTES = 525_600;

const TIME = 'HH:mm';
const DATE = 'YYYY-MM-DD';

/** `HH:MM` as a time of day (on an arbitrary date). */
const time = (hhmm: string): Dayjs | null => {
  if (!/^\d{2}:\d{2}$/.test(hhmm)) return null;
  const d = dayjs(`2000-01-01T${hhmm}:00`);
  return d.isValid() ? d : null;
};

/** A new policy: Monday to Friday 09:00–18:00 in Shanghai, the demo's targets. */
export function newPolicyValues(): SlaPolicyFormValues {
  return {
    name: '',
    is_default: false,
    business_hours: true,
    calendar: { time_zone: DEFAULT_TIME_ZONE, weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], start: time('09:00'), end: time('18:00'), holidays: [], extra_workdays: [] },
    targets: {
      urgent: { first_response_minutes: 30, resolution_minutes: 240 },
      high: { first_response_minutes: 60, resolution_minutes: 540 },
      normal: { first_response_minutes: 240, resolution_minutes: 1620 },
      low: { first_response_minutes: 540, resolution_minutes: 2700 },
    },
  };
}

export function policyToForm(p: SlaPolicy): SlaPolicyFormValues {
  const weekdays = WEEKDAYS.filter((d) => p.calendar.weekdays.includes(d));
  return {
    name: p.name,
    is_default: p.is_default,
    business_hours: p.business_hours,
    calendar: {
      time_zone: p.calendar.time_zone,
      weekdays,
      start: time(p.calendar.start),
      end: time(p.calendar.end),
      holidays: (p.calendar.holidays ?? []).map((d) => dayjs(d)),
      extra_workdays: (p.calendar.extra_workdays ?? []).map((d) => dayjs(d)),
    },
    targets: Object.fromEntries(
      TICKET_PRIORITIES.map((k) => [k, { first_response_minutes: p.targets[k].first_response_minutes, resolution_minutes: p.targets[k].resolution_minutes }]),
    ) as Record<TicketPriority, TargetValues>,
  };
}

const days = (list: Dayjs[] | null | undefined) => [...new Set((list ?? []).filter((d) => d?.isValid()).map((d) => d.format(DATE)))].sort();

function calendarToWire(c: SlaPolicyFormValues['calendar']): CreateSlaPolicy['calendar'] {
  return {
    time_zone: c.time_zone || DEFAULT_TIME_ZONE,
    weekdays: WEEKDAYS.filter((d) => c.weekdays.includes(d)),
    start: c.start ? c.start.format(TIME) : '',
    end: c.end ? c.end.format(TIME) : '',
    holidays: days(c.holidays),
    extra_workdays: days(c.extra_workdays),
  };
}

function targetsToWire(t: SlaPolicyFormValues['targets']): SlaTargets {
  return Object.fromEntries(
    TICKET_PRIORITIES.map((k) => [k, { first_response_minutes: t[k]?.first_response_minutes ?? 0, resolution_minutes: t[k]?.resolution_minutes ?? 0 }]),
  ) as SlaTargets;
}

export function toCreateSlaPolicy(v: SlaPolicyFormValues): CreateSlaPolicy {
  return {
    name: v.name.trim(),
    is_default: v.is_default,
    business_hours: v.business_hours,
    calendar: calendarToWire(v.calendar),
    targets: targetsToWire(v.targets),
  };
}

/** Only what changed (a merge patch); the calendar and the targets are sent whole when any part changed. */
export function toSlaPolicyPatch(p: SlaPolicy, v: SlaPolicyFormValues): UpdateSlaPolicy {
  const after = toCreateSlaPolicy(v);
  const before = toCreateSlaPolicy(policyToForm(p));
  const patch: UpdateSlaPolicy = {};
  if (after.name !== before.name) patch.name = after.name;
  // a default cannot be un-defaulted, only replaced by making another one the default
  if (after.is_default && !p.is_default) patch.is_default = true;
  if (after.business_hours !== before.business_hours) patch.business_hours = after.business_hours;
  if (JSON.stringify(after.calendar) !== JSON.stringify(before.calendar)) patch.calendar = after.calendar;
  if (JSON.stringify(after.targets) !== JSON.stringify(before.targets)) patch.targets = after.targets;
  return patch;
}

export interface PolicyErrors {
  /** Errors of single fields, shown next to them. */
  fields: { name: (string | number)[]; errors: FieldError[] }[];
  /** Errors about the calendar or the targets as a whole, shown at the top of their section. */
  sections: Partial<Record<SlaSection, FieldError[]>>;
  /** Errors about nothing in the form. */
  other: FieldError[];
}

/** Sorts a problem's field errors into single fields, whole sections and the rest. */
export function policyErrors(errors: FieldError[]): PolicyErrors {
  const mapped = mapFieldErrors(errors, SLA_POLICY_FIELDS);
  const out: PolicyErrors = { fields: [], sections: {}, other: mapped.other };
  for (const f of mapped.fields) {
    const top = f.name[0];
    if (f.name.length === 1 && (SLA_SECTIONS as readonly unknown[]).includes(top)) {
      const section = top as SlaSection;
      out.sections[section] = [...(out.sections[section] ?? []), ...f.errors];
    } else {
      out.fields.push(f);
    }
  }
  return out;
}
