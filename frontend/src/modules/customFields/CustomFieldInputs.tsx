import { Col, DatePicker, Divider, Form, Input, InputNumber, Row, Select, Switch, Tag, type FormItemProps } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CustomField } from '../../api/types';
import { MoneyInput } from '../../ui/MoneyInput';
import { isValidMoney, type MoneyValue } from '../../ui/money';
import { useUserOptions } from '../../ui/useOptions';
import { useMe } from '../auth/useSession';
import { CustomFieldValue } from './CustomFieldValues';
import { customFieldPath, FIELD_CURRENCY, fieldHelp, fieldLabel, isEmptyValue, type FieldShape, type StoredValues } from './values';

/** The longest text a text field holds (the server's limit). */
const MAX_TEXT = 1000;

/**
 * A user picked by name: the active users for roles that may list them; others can only name
 * themselves (or keep the user already there).
 */
function UserPicker({ value, onChange, disabled, id, ...rest }: { value?: string; onChange?: (v: string | undefined) => void; disabled?: boolean; id?: string; 'data-testid'?: string }) {
  const me = useMe().data;
  const users = useUserOptions();
  const options = users.enabled ? users.options : me ? [{ value: me.id, label: me.display_name }] : [];
  const shown = value && !options.some((o) => o.value === value) ? [...options, { value, label: value }] : options;
  return (
    <Select
      id={id}
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      value={value}
      onChange={(v?: string) => onChange?.(v)}
      disabled={disabled}
      loading={users.loading}
      options={shown}
      data-testid={rest['data-testid']}
    />
  );
}

interface ControlProps {
  field: FieldShape;
  value?: unknown;
  onChange?: (value: unknown) => void;
  disabled?: boolean;
  id?: string;
  'data-testid'?: string;
}

/** The input of one field's type; its value is the form's (see `toFormValue`). */
export function CustomFieldControl({ field, value, onChange, disabled, id, ...rest }: ControlProps) {
  const { t, i18n } = useTranslation();
  const testId = rest['data-testid'];
  const choices = (field.options ?? [])
    // a retired option stays offered only to the record that already has it
    .filter((o) => !o.retired || value === o.value || (Array.isArray(value) && value.includes(o.value)))
    .map((o) => ({ value: o.value, label: fieldLabel(o, i18n.language), disabled: Boolean(o.retired) }));
  switch (field.field_type) {
    case 'number':
      return <InputNumber id={id} value={value as number | null} onChange={(v) => onChange?.(v ?? null)} disabled={disabled} style={{ width: '100%' }} data-testid={testId} />;
    case 'money':
      return <MoneyInput id={id} value={value as MoneyValue | null} onChange={onChange} currencyFixed defaultCurrency={FIELD_CURRENCY} disabled={disabled} data-testid={testId} />;
    case 'date':
      return <DatePicker id={id} value={value as never} onChange={(d) => onChange?.(d ?? null)} disabled={disabled} style={{ width: '100%' }} data-testid={testId} />;
    case 'bool':
      return <Switch id={id} checked={value === true} onChange={(v) => onChange?.(v)} disabled={disabled} checkedChildren={t('customField.yes')} unCheckedChildren={t('customField.no')} data-testid={testId} />;
    case 'select':
      return <Select id={id} allowClear value={value as string | undefined} onChange={(v?: string) => onChange?.(v ?? null)} options={choices} disabled={disabled} data-testid={testId} />;
    case 'multiselect':
      return <Select id={id} mode="multiple" allowClear value={(value as string[] | undefined) ?? []} onChange={(v: string[]) => onChange?.(v)} options={choices} disabled={disabled} data-testid={testId} />;
    case 'user':
      return <UserPicker id={id} value={value as string | undefined} onChange={(v) => onChange?.(v ?? null)} disabled={disabled} data-testid={testId} />;
    default:
      return <Input id={id} allowClear maxLength={MAX_TEXT} value={(value as string | undefined) ?? ''} onChange={(e) => onChange?.(e.target.value)} disabled={disabled} data-testid={testId} />;
  }
}

/** The browser's checks of a field's value: required, and money that is an amount. */
export function fieldRules(field: FieldShape & Pick<CustomField, 'required'>, t: (key: string) => string): FormItemProps['rules'] {
  const rules: NonNullable<FormItemProps['rules']> = [];
  if (field.required) {
    rules.push({
      validator: (_r, value: unknown) => (isEmptyValue(value) ? Promise.reject(new Error(t('validation.required'))) : Promise.resolve()),
    });
  }
  if (field.field_type === 'money') {
    rules.push({ validator: (_r, value: MoneyValue | null) => (isValidMoney(value) ? Promise.resolve() : Promise.reject(new Error(t('money.invalid')))) });
  }
  return rules;
}

interface Props {
  /** The kind's field definitions (`useCustomFields`), retired ones included. */
  fields: readonly CustomField[];
  mode: 'create' | 'edit';
  /** On edit, the record's stored values: a retired field's value is shown read-only. */
  stored?: StoredValues | null;
  /** The columns each input takes (antd's 24-column grid). */
  span?: number;
}

/**
 * A record form's custom fields, as `Form.Item`s named `['custom_fields', key]` inside the form,
 * by position. Retired fields are not offered on a new record; on an edit the value a retired field
 * has is shown read-only. Produce the request from the values with `customFieldsForCreate` or
 * `customFieldsPatch`.
 */
export function CustomFieldInputs({ fields, mode, stored, span = 12 }: Props) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const shown = fields.filter((f) => !f.retired || (mode === 'edit' && !isEmptyValue(stored?.[f.key])));
  if (shown.length === 0) return null;
  return (
    <Row gutter={16} data-testid="custom-field-inputs">
      {shown.map((f) =>
        f.retired ? (
          <Col key={f.key} xs={24} md={span}>
            <Form.Item label={<>{fieldLabel(f, lang)} <Tag style={{ marginInlineStart: 8 }}>{t('customField.retired')}</Tag></>} extra={t('customField.retiredReadOnly')}>
              <span data-testid={`cf-readonly-${f.key}`}>
                <CustomFieldValue field={f} value={stored?.[f.key]} />
              </span>
            </Form.Item>
          </Col>
        ) : (
          <Col key={f.key} xs={24} md={span}>
            <Form.Item
              name={customFieldPath(f.key) as unknown as string[]}
              label={fieldLabel(f, lang)}
              extra={fieldHelp(f, lang)}
              required={f.required}
              rules={fieldRules(f, t)}
            >
              <CustomFieldControl field={f} data-testid={`cf-${f.key}`} />
            </Form.Item>
          </Col>
        ),
      )}
    </Row>
  );
}

/** {@link CustomFieldInputs} under a "Custom fields" divider, in a record's form page; nothing when no field is shown. */
export function CustomFieldSection(props: Props) {
  const { t } = useTranslation();
  const { fields, mode, stored } = props;
  if (!fields.some((f) => !f.retired || (mode === 'edit' && !isEmptyValue(stored?.[f.key])))) return null;
  return (
    <>
      <Divider titlePlacement="start" plain>{t('customField.sectionTitle')}</Divider>
      <CustomFieldInputs {...props} />
    </>
  );
}
