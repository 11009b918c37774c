import type { FormInstance } from 'antd';
import { isProblemError, type FieldError } from '../api/problem';

/** The form field a problem+json `errors[].field` refers to (`contacts[0].email` → ['contacts', 0, 'email']). */
export function fieldPath(field: string): (string | number)[] {
  return field
    .replace(/^\//, '')
    .split(/[./[\]]+/)
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export interface MappedErrors {
  /** Field errors grouped by the form field they belong to. */
  fields: { name: (string | number)[]; errors: string[] }[];
  /** Messages that match no field of the form, shown above it. */
  other: string[];
}

/**
 * Splits a problem's field errors into those the form shows next to a field and the rest.
 * `wholeFields` are fields one input edits as a whole (money: `amount.amount_minor` → `amount`).
 */
export function mapFieldErrors(errors: FieldError[], knownFields: readonly string[], wholeFields: readonly string[] = []): MappedErrors {
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
  const other: string[] = [];
  for (const e of errors) {
    const full = fieldPath(e.field);
    const name = typeof full[0] === 'string' && wholeFields.includes(full[0]) ? full.slice(0, 1) : full;
    const top = name[0];
    const message = e.message || e.code;
    if (typeof top === 'string' && knownFields.includes(top)) {
      const key = JSON.stringify(name);
      const entry = byField.get(key) ?? { name, errors: [] };
      entry.errors.push(message);
      byField.set(key, entry);
    } else {
      other.push(e.field ? `${e.field}: ${message}` : message);
    }
  }
  return { fields: [...byField.values()], other };
}

/**
 * Shows a thrown error on an antd form: field errors next to their fields; returns the
 * message to show above the form (null when every error found its field).
 */
export function applyProblemToForm(
  form: FormInstance,
  error: unknown,
  knownFields: readonly string[],
  wholeFields: readonly string[] = [],
): string | null {
  if (!isProblemError(error)) return error instanceof Error ? error.message : String(error);
  const mapped = mapFieldErrors(error.fieldErrors, knownFields, wholeFields);
  if (mapped.fields.length > 0) form.setFields(mapped.fields);
  if (mapped.other.length > 0) return [error.problem.detail ?? error.problem.title, ...mapped.other].join(' · ');
  if (mapped.fields.length > 0) return null;
  return error.problem.detail ?? error.problem.title;
}
