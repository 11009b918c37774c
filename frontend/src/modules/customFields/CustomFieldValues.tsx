import { Descriptions, Tag, Typography } from 'antd';
import type { DescriptionsProps } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CustomEntity, CustomField } from '../../api/types';
import { can } from '../../app/permissions';
import { formatDate, formatMoney, formatNumber } from '../../i18n/format';
import { useUsers } from '../settings/useUsers';
import { useMe } from '../auth/useSession';
import { useCustomFields } from './useCustomFields';
import { FIELD_CURRENCY, fieldLabel, isEmptyValue, optionLabel, shownFields, type StoredValues } from './values';

/** A user's display name: every user's for roles that may list users, otherwise one's own. */
function UserName({ id }: { id: string }) {
  const me = useMe().data;
  const users = useUsers({}, can(me, 'users', 'read'));
  const name = users.data?.find((u) => u.id === id)?.display_name ?? (me?.id === id ? me.display_name : undefined);
  return <>{name ?? <Typography.Text type="secondary">{id.slice(0, 8)}</Typography.Text>}</>;
}

/** What a value of a field shows as text; null for a user (a name read separately) or no value. */
export function valueText(field: Pick<CustomField, 'field_type' | 'options'>, value: unknown, language: string, yesNo: { yes: string; no: string }): string | null {
  if (isEmptyValue(value)) return null;
  switch (field.field_type) {
    case 'money':
      return typeof value === 'number' ? formatMoney({ amount_minor: value, currency: FIELD_CURRENCY }, language) : String(value);
    case 'number':
      return typeof value === 'number' ? formatNumber(value, language) : String(value);
    case 'date':
      return formatDate(String(value), language);
    case 'bool':
      return value === true ? yesNo.yes : value === false ? yesNo.no : String(value);
    case 'select':
      return optionLabel(field.options, value, language);
    case 'multiselect':
      return Array.isArray(value) ? value.map((v) => optionLabel(field.options, v, language)).join(language.startsWith('zh') ? '、' : ', ') : String(value);
    case 'user':
      return null;
    default:
      return String(value);
  }
}

/** One field's value, read-only: option labels and money in the language shown, a user by name; a dash for none. */
export function CustomFieldValue({ field, value }: { field: Pick<CustomField, 'field_type' | 'options'>; value: unknown }) {
  const { t, i18n } = useTranslation();
  if (isEmptyValue(value)) return <>—</>;
  if (field.field_type === 'user' && typeof value === 'string') return <UserName id={value} />;
  return <>{valueText(field, value, i18n.language, { yes: t('customField.yes'), no: t('customField.no') })}</>;
}

/** The description items of a record's custom fields (retired ones only when they hold a value, tagged). */
export function useCustomFieldItems(entity: CustomEntity, values: StoredValues | null | undefined): NonNullable<DescriptionsProps['items']> {
  const { t, i18n } = useTranslation();
  const fields = useCustomFields(entity);
  return shownFields(fields.data ?? [], values).map((f) => ({
    key: `cf.${f.key}`,
    label: (
      <span>
        {fieldLabel(f, i18n.language)}
        {f.retired && <Tag style={{ marginInlineStart: 6 }} data-testid={`cf-retired-${f.key}`}>{t('customField.retired')}</Tag>}
      </span>
    ),
    children: (
      <span data-testid={`cf-value-${f.key}`}>
        <CustomFieldValue field={f} value={values?.[f.key]} />
      </span>
    ),
  }));
}

/**
 * A record's custom field values for its detail page, by position: every field in use (a dash when
 * it has none) and retired fields that still hold a value, marked retired. Nothing when the kind has
 * no custom fields.
 */
export function CustomFieldValues({ entity, values, title, column = { xs: 1, sm: 2, lg: 3 } }: {
  entity: CustomEntity;
  values: StoredValues | null | undefined;
  title?: React.ReactNode;
  column?: DescriptionsProps['column'];
}) {
  const items = useCustomFieldItems(entity, values);
  if (items.length === 0) return null;
  return <Descriptions size="small" title={title} column={column} items={items} data-testid="custom-field-values" />;
}
