import dayjs from 'dayjs';

/** Whether two JSON values are the same value: key order does not matter, and absent is the same as null. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    return [...keys].every((k) => sameJson(ra[k], rb[k]));
  }
  return a === b;
}

/** Two timestamps name the same second (the API and the date pickers spell instants differently). */
export function sameInstant(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return dayjs(a as string).isSame(dayjs(b as string), 'second');
}

/** How two values of one field are compared, when not as JSON. */
export type SameBy<T> = { [K in keyof T]?: (before: unknown, after: unknown) => boolean };

/**
 * The JSON merge patch (RFC 7396) from what the user saw to what they submit: the fields whose value
 * changed, cleared ones as null. Only `after`'s fields are compared, so a field the form does not
 * send is never in the patch; objects and lists are sent whole when any part of them changed, which
 * is how the API reads them (money, a calendar, the lines of an order).
 */
export function mergePatch<T extends object>(before: Partial<Record<keyof T, unknown>>, after: T, sameBy: SameBy<T> = {}): Partial<T> {
  const patch: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    const value = after[key];
    if (value === undefined) continue;
    const same = sameBy[key] ?? sameJson;
    if (!same(before[key], value)) patch[key] = value;
  }
  return patch;
}

/** Typed text as the API takes it: trimmed, and null when blank. */
export function textOrNull(s: string | null | undefined): string | null {
  const trimmed = s?.trim();
  return trimmed ? trimmed : null;
}

/** A create body without the fields left empty (null): the server's defaults apply to them. */
export function withoutNulls<T extends object>(wire: T): T {
  return Object.fromEntries(Object.entries(wire).filter(([, v]) => v !== null)) as T;
}
