import type { TFunction } from 'i18next';
import type { components } from '../../../api/generated/schema';
import type { Customer } from '../../../api/types';
import { formatDate, formatMoney, formatNumber } from '../../../i18n/format';

/** Which record a merged field's value comes from. */
export type MergeSide = components['schemas']['MergeSide'];
/** The choices the merge request carries, by field name (`city`, `owner`, `custom_fields.<key>`). */
export type FieldChoices = Record<string, MergeSide>;
export type CustomFieldDef = components['schemas']['CustomFieldDto'];

/** One field the merge lets the user choose, as the comparison table shows it. */
export interface MergeField {
  /** Its name in `field_choices`. */
  key: string;
  /** Its label, already in the UI's language. */
  label: string;
  /** What the two records are compared by (a field that moves with another compares both). */
  compared: (c: Customer) => unknown;
  /** The value whose absence makes the field empty, when not `compared` (the number, not its type). */
  main?: (c: Customer) => unknown;
  /** The personal fields (the record's `masked` names) this value is made of. */
  personal: readonly string[];
  /** The value as shown, null when the record has none. */
  shown: (c: Customer) => string | null;
}

type Shown = (c: Customer) => string | null;

const present = (v: unknown): boolean =>
  v !== null && v !== undefined && !(typeof v === 'string' && v.trim() === '') && !(Array.isArray(v) && v.length === 0);

const joined = (...parts: (string | null | undefined)[]): string | null => {
  const kept = parts.filter((p): p is string => present(p));
  return kept.length ? kept.join(' · ') : null;
};

/** A record's custom field values (the generated schema types them as an empty object). */
export const customValues = (c: Customer): Record<string, unknown> => (c.custom_fields ?? {}) as Record<string, unknown>;

/** The built-in fields a merge may take from either record, in the order of the customer page. */
export function builtInFields(t: TFunction, lang: string): MergeField[] {
  const text = (key: keyof Customer & string, label: string, personal: readonly string[] = []): MergeField => ({
    key,
    label: t(label),
    compared: (c) => c[key],
    personal,
    shown: (c) => (present(c[key]) ? String(c[key]) : null),
  });
  const labelled = (key: keyof Customer & string, label: string, shown: Shown): MergeField => ({
    key,
    label: t(label),
    compared: (c) => c[key],
    personal: [],
    shown,
  });
  return [
    text('name', 'customer.name'),
    text('industry', 'customer.industry'),
    labelled('size_band', 'customer.sizeBand', (c) => (c.size_band ? t(`sizeBand.${c.size_band}`) : null)),
    text('province', 'customer.province'),
    text('city', 'customer.city'),
    text('district', 'customer.district'),
    text('address', 'customer.address', ['address']),
    text('phone', 'customer.phone', ['phone']),
    text('email', 'customer.email', ['email']),
    text('website', 'customer.website'),
    text('credit_code', 'customer.creditCode'),
    labelled('source_channel', 'customer.sourceChannel', (c) => (c.source_channel ? t(`source.${c.source_channel}`) : null)),
    labelled('lifecycle_stage', 'customer.stage', (c) => t(`stage.${c.lifecycle_stage}`)),
    labelled('value_tier', 'customer.valueTier', (c) => (c.value_tier ? t(`tier.${c.value_tier}`) : null)),
    labelled('gender', 'customer.gender', (c) => (c.gender ? t(`gender.${c.gender}`) : null)),
    {
      key: 'birthday',
      label: t('customer.birthday'),
      compared: (c) => c.birthday,
      personal: ['birthday'],
      shown: (c) => (c.birthday ? formatDate(c.birthday, lang) : null),
    },
    text('preferences', 'customer.preferences'),
    text('notes', 'customer.notes'),
    {
      key: 'id_number',
      label: t('customer.id_number'),
      compared: (c) => [c.id_type, c.id_number],
      main: (c) => c.id_number,
      personal: ['id_number'],
      shown: (c) => (present(c.id_number) ? joined(c.id_type ? t(`idType.${c.id_type}`) : null, c.id_number) : null),
    },
    {
      key: 'bank_account',
      label: t('customer.bank_account'),
      compared: (c) => [c.bank_name, c.bank_account],
      main: (c) => c.bank_account,
      personal: ['bank_account'],
      shown: (c) => (present(c.bank_account) ? joined(c.bank_name, c.bank_account) : null),
    },
    {
      key: 'owner',
      label: t('customerMerge.ownerAndTeam'),
      compared: (c) => [c.owner_id, c.team_id ?? null],
      main: (c) => c.owner_id,
      personal: [],
      shown: (c) => joined(c.owner_name, c.team_name),
    },
  ];
}

/** The fields a kind of customer has not (a company has no birthday, a person no credit code). */
const NOT_OF_KIND: Record<Customer['kind'], readonly string[]> = {
  company: ['gender', 'birthday', 'preferences', 'id_number'],
  individual: ['credit_code'],
};

/** Whether a customer of this kind has the field (the customer page shows it). */
export function ofKind(field: MergeField, kind: Customer['kind']): boolean {
  return !NOT_OF_KIND[kind].includes(field.key);
}

/** A custom field's value as text: an option's label, a yes or no, money, a date, a number. */
export function customValueText(value: unknown, def: CustomFieldDef | undefined, t: TFunction, lang: string): string | null {
  if (!present(value)) return null;
  const optionLabel = (v: unknown) => {
    const option = def?.options.find((o) => o.value === v);
    return option ? (lang.startsWith('zh') ? option.label_zh : option.label_en) : String(v);
  };
  switch (def?.field_type) {
    case 'select':
      return optionLabel(value);
    case 'multiselect':
      return Array.isArray(value) ? value.map(optionLabel).join(', ') : optionLabel(value);
    case 'bool':
      return value === true ? t('customerMerge.yes') : value === false ? t('customerMerge.no') : String(value);
    case 'money':
      return typeof value === 'number' ? formatMoney({ amount_minor: value, currency: 'CNY' }, lang) : String(value);
    case 'number':
      return typeof value === 'number' ? formatNumber(value, lang) : String(value);
    case 'date':
      return typeof value === 'string' ? formatDate(value, lang) : String(value);
    default:
      if (Array.isArray(value)) return value.map(String).join(', ');
      return typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
  }
}

/**
 * The custom fields of either record, labelled from their definitions in the UI's language (the
 * key itself when the definitions could not be read), defined ones first in their order.
 */
export function customFields(a: Customer, b: Customer, defs: readonly CustomFieldDef[] | undefined, t: TFunction, lang: string): MergeField[] {
  const keys = new Set([...Object.keys(customValues(a)), ...Object.keys(customValues(b))]);
  const byKey = new Map((defs ?? []).map((d) => [d.key, d]));
  const ordered = [
    ...(defs ?? []).filter((d) => keys.has(d.key)).map((d) => d.key),
    ...[...keys].filter((k) => !byKey.has(k)).sort(),
  ];
  return ordered.map((key) => {
    const def = byKey.get(key);
    return {
      key: `custom_fields.${key}`,
      label: def ? (lang.startsWith('zh') ? def.label_zh : def.label_en) : key,
      compared: (c) => customValues(c)[key] ?? null,
      personal: [],
      shown: (c) => customValueText(customValues(c)[key], def, t, lang),
    };
  });
}

/** Whether the record came with this field masked (its value then cannot be compared). */
export function isMasked(field: MergeField, c: Customer): boolean {
  return field.personal.some((p) => c.masked.includes(p));
}

/** Whether the record has no value for the field (a masked one counts as having one). */
export function isEmpty(field: MergeField, c: Customer): boolean {
  return !isMasked(field, c) && !present((field.main ?? field.compared)(c));
}

/**
 * Whether the comparison table offers a choice for the field: the two records hold different
 * values. A masked value cannot be compared, so it is offered whenever either record has one.
 */
export function differs(field: MergeField, survivor: Customer, other: Customer): boolean {
  if (isMasked(field, survivor) || isMasked(field, other)) return !(isEmpty(field, survivor) && isEmpty(field, other));
  return JSON.stringify(field.compared(survivor) ?? null) !== JSON.stringify(field.compared(other) ?? null);
}

/** What the server does with a field nobody chose for: the survivor's value, the other's where the survivor has none. */
export function defaultSide(field: MergeField, survivor: Customer): MergeSide {
  return isEmpty(field, survivor) ? 'other' : 'survivor';
}

/** Every choosable field, built-in then custom, whose values differ between the two records. */
export function comparedFields(survivor: Customer, other: Customer, defs: readonly CustomFieldDef[] | undefined, t: TFunction, lang: string): MergeField[] {
  return [...builtInFields(t, lang), ...customFields(survivor, other, defs, t, lang)].filter((f) => differs(f, survivor, other));
}

/** The kinds of records a merge moves, in the order the preview lists them. */
export const MOVED_KINDS = [
  'contacts', 'interactions', 'tasks', 'opportunities', 'orders', 'tickets', 'consents', 'portal_accounts', 'requirement_requests', 'timeline_items',
] as const;

/**
 * How many records moved, all kinds together but the timeline's entries (most of them stand for
 * an interaction, order or ticket already counted).
 */
export function movedTotal(moved: Record<string, number>): number {
  return Object.entries(moved).reduce((sum, [kind, n]) => sum + (kind !== 'timeline_items' && Number.isFinite(n) ? n : 0), 0);
}
