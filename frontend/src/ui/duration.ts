/** A span of whole minutes as the hours and minutes a person types: 135 → 2 h 15 min. */
export interface HoursMinutes {
  hours: number | null;
  minutes: number | null;
}

/** Splits minutes into hours and the remaining minutes; nothing stays nothing. */
export function splitMinutes(total: number | null | undefined): HoursMinutes {
  if (total === null || total === undefined || !Number.isFinite(total)) return { hours: null, minutes: null };
  const whole = Math.max(0, Math.round(total));
  return { hours: Math.floor(whole / 60), minutes: whole % 60 };
}

/**
 * Joins typed hours and minutes into minutes (minutes over 59 carry into the hours); null when
 * both are empty. Fractions are rounded to whole minutes (1.5 h → 90).
 */
export function joinMinutes(hours: number | null | undefined, minutes: number | null | undefined): number | null {
  const h = typeof hours === 'number' && Number.isFinite(hours) ? hours : null;
  const m = typeof minutes === 'number' && Number.isFinite(minutes) ? minutes : null;
  if (h === null && m === null) return null;
  return Math.max(0, Math.round((h ?? 0) * 60 + (m ?? 0)));
}
