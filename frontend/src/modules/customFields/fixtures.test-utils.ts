import type { CustomField } from '../../api/types';

/** A custom field definition for tests; `more` overrides any part of it. */
let n = 0;
export function field(key: string, field_type: CustomField['field_type'], more: Partial<CustomField> = {}): CustomField {
  n += 1;
  return {
    id: `f${n}`, entity: 'customers', key, label_zh: `${key}中文`, label_en: `${key} en`, field_type, options: [], required: false, default_value: null,
    help_zh: null, help_en: null, position: n, retired: false, retired_at: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 1,
    ...more,
  } as CustomField;
}

