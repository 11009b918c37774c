import dayjs, { type Dayjs } from 'dayjs';
import type { CustomField, FieldOption, FieldType } from '../../api/types';
import { sameJson } from '../../ui/mergePatch';
import type { MoneyValue } from '../../ui/money';

/** What a field needs to be typed into: its type and, for choices, its options. */
export type FieldShape = Pick<CustomField, 'field_type' | 'options'>;

/** Custom field values as records carry them: `{ key: value }`. */
export type StoredValues = Record<string, unknown>;

/** The currency custom money fields are kept in (分 of the organisation's currency). */
export const FIELD_CURRENCY = 'CNY';

/** The form path of a field's input in a record form. */
export const customFieldPath = (key: string) => ['custom_fields', key] as const;

/** A field's label in the language shown. */
export function fieldLabel(f: Pick<CustomField, 'label_zh' | 'label_en'>, language: string): string {
  return language.startsWith('zh') ? f.label_zh : f.label_en;
}

/** A field's help text in the language shown, or undefined. */
export function fieldHelp(f: Pick<CustomField, 'help_zh' | 'help_en'>, language: string): string | undefined {
  const help = language.startsWith('zh') ? f.help_zh : f.help_en;
  return help?.trim() ? help : undefined;
}

/** An option's label in the language shown; an unknown value as itself. */
export function optionLabel(options: readonly FieldOption[], value: unknown, language: string): string {
  const o = options.find((x) => x.value === value);
  return o ? fieldLabel(o, language) : String(value);
}

/** Whether a form or stored value is "no value". */
export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/**
 * A stored value as the field's input holds it: a date as dayjs, money as 元 with its currency
 * (the input shows 元, the value is 分), everything else as stored. Values of the wrong type
 * (written before a change on the server) are dropped rather than shown wrongly.
 */
export function toFormValue(type: FieldType, stored: unknown): unknown {
  if (stored === undefined || stored === null) return undefined;
  switch (type) {
    case 'date': {
      if (typeof stored !== 'string') return undefined;
      const d = dayjs(stored, 'YYYY-MM-DD');
      return d.isValid() ? d : undefined;
    }
    case 'money':
      return typeof stored === 'number' ? ({ amount_minor: stored, currency: FIELD_CURRENCY } satisfies MoneyValue) : undefined;
    case 'number':
      return typeof stored === 'number' ? stored : undefined;
    case 'bool':
      return typeof stored === 'boolean' ? stored : undefined;
    case 'multiselect':
      return Array.isArray(stored) ? stored.filter((v): v is string => typeof v === 'string') : undefined;
    default:
      return typeof stored === 'string' ? stored : undefined;
  }
}

/**
 * An input's value as the API takes it, null for no value: text trimmed, money in 分, a date as
 * `YYYY-MM-DD`, a multiselect as a list (empty is none).
 */
export function toWireValue(type: FieldType, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'text': {
      const text = String(value).trim();
      return text === '' ? null : text;
    }
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'money': {
      const minor = (value as MoneyValue).amount_minor;
      return typeof minor === 'number' && Number.isFinite(minor) ? minor : null;
    }
    case 'date':
      return dayjs.isDayjs(value) ? (value as Dayjs).format('YYYY-MM-DD') : typeof value === 'string' && value ? value : null;
    case 'bool':
      return typeof value === 'boolean' ? value : null;
    case 'multiselect':
      return Array.isArray(value) && value.length > 0 ? value : null;
    default:
      return typeof value === 'string' && value !== '' ? value : null;
  }
}

/**
 * A record form's custom field values: on edit from the record's stored values, on create from the
 * fields' defaults (a required switch without one starts off, as it shows). Retired fields are not
 * in the form: their value is shown beside it, read-only.
 */
export function customFieldsToForm(fields: readonly CustomField[], stored: StoredValues | null | undefined): StoredValues {
  const out: StoredValues = {};
  for (const f of fields) {
    if (f.retired) continue;
    const value = stored ? toFormValue(f.field_type, stored[f.key]) : toFormValue(f.field_type, f.default_value);
    if (value !== undefined) out[f.key] = value;
    else if (!stored && f.field_type === 'bool' && f.required) out[f.key] = false;
  }
  return out;
}

/**
 * What a new record sends as `custom_fields`: the values given. A field with a default that the
 * person emptied is sent as null, so the server does not fill the default in again.
 */
export function customFieldsForCreate(fields: readonly CustomField[], values: StoredValues | null | undefined): StoredValues {
  const out: StoredValues = {};
  for (const f of fields) {
    if (f.retired) continue;
    const wire = toWireValue(f.field_type, values?.[f.key]);
    if (wire !== null) out[f.key] = wire;
    else if (f.default_value !== undefined && f.default_value !== null) out[f.key] = null;
  }
  return out;
}

/**
 * The merge patch of an edit's custom fields: the keys whose value changed, cleared ones as null.
 * Retired fields and keys no field defines are never sent (they are kept as they are).
 */
export function customFieldsPatch(fields: readonly CustomField[], stored: StoredValues | null | undefined, values: StoredValues | null | undefined): StoredValues {
  const patch: StoredValues = {};
  for (const f of fields) {
    if (f.retired) continue;
    const before = toWireValue(f.field_type, toFormValue(f.field_type, stored?.[f.key]));
    const after = toWireValue(f.field_type, values?.[f.key]);
    if (!sameJson(before, after)) patch[f.key] = after;
  }
  return patch;
}

/** The fields with a value on the record, or every one not retired: what a detail page lists. */
export function shownFields(fields: readonly CustomField[], stored: StoredValues | null | undefined): CustomField[] {
  return fields.filter((f) => !f.retired || !isEmptyValue(stored?.[f.key]));
}

/**
 * After a 412 the form shows the latest version with the person's own changes on top. A record
 * form's `custom_fields` is one form field holding many: the changes are put back key by key, so a
 * custom field someone else changed meanwhile is not put back as it was.
 */
export function reapplyCustomFields<V extends { custom_fields?: StoredValues }>(latestForm: V, mine: V, patch: { custom_fields?: unknown }): V {
  const changed = patch.custom_fields;
  if (!changed || typeof changed !== 'object') return latestForm;
  const merged: StoredValues = { ...(latestForm.custom_fields ?? {}) };
  for (const key of Object.keys(changed)) merged[key] = mine.custom_fields?.[key];
  return { ...latestForm, custom_fields: merged };
}

/** Whether a field's column can sort the list (`sort=cf.<key>`): every type but multiselect. */
export function sortable(f: Pick<CustomField, 'field_type'>): boolean {
  return f.field_type !== 'multiselect';
}

/** Whether the list filters by a field's value from its filter bar: choices and yes/no. */
export function filterable(f: Pick<CustomField, 'field_type'>): boolean {
  return f.field_type === 'select' || f.field_type === 'multiselect' || f.field_type === 'bool';
}

/** A create body with the custom fields' values (see {@link customFieldsForCreate}) when any is given. */
export function withCustomCreate<T extends object>(body: T, fields: readonly CustomField[], values: StoredValues | null | undefined): T {
  const custom = customFieldsForCreate(fields, values);
  return Object.keys(custom).length > 0 ? { ...body, custom_fields: custom } : body;
}

/** A merge patch with the custom fields' changes (see {@link customFieldsPatch}) when there are any. */
export function withCustomPatch<T extends object>(patch: T, fields: readonly CustomField[], stored: unknown, values: StoredValues | null | undefined): T {
  const custom = customFieldsPatch(fields, (stored ?? {}) as StoredValues, values);
  return Object.keys(custom).length > 0 ? { ...patch, custom_fields: custom } : patch;
}

/** The form field names the server's errors of the fields in use name (`custom_fields.<key>`). */
export function customErrorFields(fields: readonly CustomField[]): string[] {
  return fields.filter((f) => !f.retired).map((f) => `custom_fields.${f.key}`);
}

/**
 * `useVersionedEdit`'s `reapply` for a record form with custom fields: the latest version, with the
 * fields the person changed put back, and of the custom fields only the keys they changed.
 */
export function reapplyWith<R, V extends { custom_fields?: StoredValues }>(toForm: (record: R) => V, changes: (base: R, values: V) => object) {
  return (from: R, latest: R, mine: V): V => {
    const patch = changes(from, mine) as { custom_fields?: unknown };
    const values = toForm(latest) as unknown as Record<string, unknown>;
    const current = mine as unknown as Record<string, unknown>;
    for (const key of Object.keys(patch)) if (key !== 'custom_fields' && key in current) values[key] = current[key];
    return reapplyCustomFields(values as unknown as V, mine, patch);
  };
}
