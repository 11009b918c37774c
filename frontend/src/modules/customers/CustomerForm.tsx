import { Cascader, Col, DatePicker, Divider, Form, Input, Row, Select, type FormItemProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { CreateCustomer, Customer, CustomField, UpdateCustomer } from '../../api/types';
import { GENDERS, ID_TYPES, LIFECYCLE_STAGES, SIZE_BANDS, SOURCE_CHANNELS, VALUE_TIERS, type IdType } from '../../api/types';
import { useFormProblem } from '../../ui/formErrors';
import { mergePatch, withoutNulls } from '../../ui/mergePatch';
import { formatPhone } from '../../ui/phone';
import { identityRules } from './identity';
import { industryOptions } from './industries';
import { regionFields, regionPath, useRegionOptions, withStoredPath } from './regions';
import { enumOptions, useOwnerOptions, useTeamOptions } from '../../ui/useOptions';
import { ProblemForm, SaveCancel } from '../../ui/FormPage';
import { MaskableItem } from '../../ui/PersonalValue';
import { CustomFieldInputs } from '../customFields/CustomFieldInputs';
import { customFieldsForCreate, customFieldsPatch, customFieldsToForm, isEmptyValue, type StoredValues } from '../customFields/values';
import { DuplicateCandidates } from './duplicates/DuplicateCandidates';

/** What the form holds: the API's writable fields, with the birthday as a dayjs value. */
export interface CustomerFormValues {
  kind: 'company' | 'individual';
  name: string;
  industry?: string | null;
  size_band?: string | null;
  /** 省 / 市 / 区, as far as picked; stored as the three text fields. */
  region?: string[];
  address?: string | null;
  phone?: string | null;
  email?: string | null;
  website?: string | null;
  credit_code?: string | null;
  source_channel?: string | null;
  lifecycle_stage?: string;
  value_tier?: string | null;
  tags?: string[];
  gender?: string | null;
  birthday?: Dayjs | null;
  preferences?: string | null;
  id_type?: IdType | null;
  id_number?: string | null;
  bank_name?: string | null;
  bank_account?: string | null;
  notes?: string | null;
  owner_id?: string;
  team_id?: string | null;
  /** The custom fields' inputs by key (see `customFieldsToForm`). */
  custom_fields?: StoredValues;
}

export const CUSTOMER_FIELDS = [
  'kind', 'name', 'industry', 'size_band', 'region', 'address', 'phone', 'email', 'website',
  'credit_code', 'source_channel', 'lifecycle_stage', 'value_tier', 'tags', 'gender', 'birthday', 'preferences',
  'id_type', 'id_number', 'bank_name', 'bank_account', 'notes', 'owner_id', 'team_id',
] as const;

/** The fields only individuals have: the form shows them for individuals only, and sends them only for them. */
const INDIVIDUAL_FIELDS: readonly string[] = ['gender', 'birthday', 'preferences', 'id_type', 'id_number'];

/**
 * The fields the form shows for a kind of customer. A refusal of one it does not show (a company
 * that keeps the identity document it had as an individual) goes above the form, where it is read,
 * instead of beside an input that is not there.
 */
function shownFields(kind: CustomerFormValues['kind']): readonly string[] {
  return CUSTOMER_FIELDS.filter((f) => (kind === 'company' ? !INDIVIDUAL_FIELDS.includes(f) : f !== 'credit_code'));
}

/** How a field is checked in the browser: its rules, and the fields whose change checks it again. */
type Check = Pick<FormItemProps, 'rules' | 'dependencies'>;

/** The stored fields the region cascader edits: the server names them, the form shows their errors at the cascader. */
const REGION_PARTS = { province: 'region', city: 'region', district: 'region' } as const;

/** A customer's stored custom field values. */
export const storedCustomFields = (c: Pick<Customer, 'custom_fields'>): StoredValues => (c.custom_fields ?? {}) as StoredValues;

/** A new customer's form: the custom fields start at their defaults. */
export function newCustomerValues(fields: readonly CustomField[] = []): Partial<CustomerFormValues> {
  return { kind: 'company', lifecycle_stage: 'potential', tags: [], custom_fields: customFieldsToForm(fields, null) };
}

export function toFormValues(c: Customer, fields: readonly CustomField[] = []): CustomerFormValues {
  return {
    kind: c.kind,
    name: c.name,
    industry: c.industry,
    size_band: c.size_band,
    region: regionPath(c.province, c.city, c.district),
    address: c.address,
    // as people write it; unchanged it leaves the patch, changed the server reads it like any typed number
    phone: c.phone && !c.masked.includes('phone') ? formatPhone(c.phone) : c.phone,
    email: c.email,
    website: c.website,
    credit_code: c.credit_code,
    source_channel: c.source_channel,
    lifecycle_stage: c.lifecycle_stage,
    value_tier: c.value_tier,
    tags: c.tags,
    gender: c.gender,
    birthday: c.birthday ? dayjs(c.birthday) : null,
    preferences: c.preferences,
    id_type: c.id_type,
    id_number: c.id_number,
    bank_name: c.bank_name,
    bank_account: c.bank_account,
    notes: c.notes,
    owner_id: c.owner_id,
    team_id: c.team_id,
    custom_fields: customFieldsToForm(fields, storedCustomFields(c)),
  };
}

type Wire = Record<string, unknown>;

/** Form values as the API wants them: blank text is null, dates are `YYYY-MM-DD`. */
export function toWire(v: CustomerFormValues): Wire {
  const out: Wire = {};
  for (const key of CUSTOMER_FIELDS) {
    const value = v[key];
    if (value === undefined) continue;
    if (key === 'birthday') {
      out.birthday = value ? (value as Dayjs).format('YYYY-MM-DD') : null;
    } else if (key === 'region') {
      Object.assign(out, regionFields(value as string[]));
    } else if (typeof value === 'string') {
      const trimmed = value.trim();
      out[key] = trimmed === '' ? null : trimmed;
    } else {
      out[key] = value;
    }
  }
  if (out.kind === 'company') {
    // individual-only fields are left alone for companies
    for (const field of INDIVIDUAL_FIELDS) delete out[field];
  }
  return out;
}

export function toCreateBody(v: CustomerFormValues, fields: readonly CustomField[] = []): CreateCustomer {
  const custom = customFieldsForCreate(fields, v.custom_fields);
  return { ...withoutNulls(toWire(v)), ...(Object.keys(custom).length > 0 ? { custom_fields: custom } : {}) } as unknown as CreateCustomer;
}

/**
 * Only what the user changed since `base` (a merge patch). A field the base carries masked is never
 * sent: its input stays disabled until the record is revealed, and a masked text is not a value.
 */
export function toUpdatePatch(base: Customer, v: CustomerFormValues, fields: readonly CustomField[] = []): UpdateCustomer {
  const patch = mergePatch(toWire(toFormValues(base)), toWire(v)) as Record<string, unknown>;
  for (const field of base.masked) delete patch[field];
  const custom = customFieldsPatch(fields, storedCustomFields(base), v.custom_fields);
  if (Object.keys(custom).length > 0) patch.custom_fields = custom;
  return patch as UpdateCustomer;
}

/** How an edit form shows the personal fields its record carries masked. */
export interface MaskedFields {
  /** The fields the record carries masked (`Customer.masked`). */
  fields: readonly string[];
  /** Reveals the record (audited) and fills the form with its clear values. */
  reveal: () => void;
  revealing: boolean;
}

interface Props {
  initial?: CustomerFormValues;
  mode: 'create' | 'edit';
  submitting: boolean;
  onSubmit: (values: CustomerFormValues) => Promise<unknown>;
  onCancel: () => void;
  /** Shown above the form (e.g. the stale-edit notice). */
  banner?: React.ReactNode;
  form?: ReturnType<typeof Form.useForm<CustomerFormValues>>[0];
  /** Editing a record with masked personal fields: they are disabled with an eye until revealed. */
  masked?: MaskedFields;
  /** The customers' custom field definitions (`useCustomFields('customers')`). */
  customFields?: readonly CustomField[];
  /** On edit, the customer's stored custom field values (a retired field's shows read-only). */
  storedCustom?: StoredValues;
}

export function CustomerForm({ initial, mode, submitting, onSubmit, onCancel, banner, form: external, masked, customFields = [], storedCustom }: Props) {
  const { t } = useTranslation();
  const [own] = Form.useForm<CustomerFormValues>();
  const form = external ?? own;
  const kind = Form.useWatch('kind', form) ?? initial?.kind ?? 'company';
  const customShown = customFields.filter((f) => !f.retired).map((f) => `custom_fields.${f.key}`);
  const problem = useFormProblem(form, [...shownFields(kind), ...customShown], { renamed: REGION_PARTS });
  const identity = identityRules(t);
  const region = (Form.useWatch('region', form) as string[] | undefined) ?? initial?.region ?? [];
  const regions = useRegionOptions();
  const owners = useOwnerOptions();
  const teams = useTeamOptions();

  const maskable = (name: keyof CustomerFormValues, label: string, input: React.ReactElement<{ disabled?: boolean }>, check?: Check) => (
    <MaskableItem name={name} label={label} {...check} masked={masked?.fields.includes(name) ?? false} onReveal={() => masked?.reveal()} revealing={masked?.revealing ?? false}>
      {input}
    </MaskableItem>
  );

  const text = (name: keyof CustomerFormValues, label: string, span = 12, extra?: React.ComponentProps<typeof Input>, check?: Check) => (
    <Col xs={24} md={span}>{maskable(name, label, <Input allowClear data-testid={`customer-${name}`} {...extra} />, check)}</Col>
  );

  return (
    <ProblemForm<CustomerFormValues>
      form={form}
      initialValues={initial ?? newCustomerValues(customFields)}
      problem={problem}
      onSave={onSubmit}
      notice={banner}
      // the browser's own bubble for type=email speaks the browser's language and hides the server's answer
      noValidate
      data-testid="customer-form"
    >
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Form.Item name="kind" label={t('customer.kind')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select options={enumOptions(t, ['company', 'individual'], 'kind')} data-testid="customer-kind" />
          </Form.Item>
        </Col>
        <Col xs={24} md={16}>
          <Form.Item name="name" label={t('customer.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 200 }]}>
            <Input data-testid="customer-name" />
          </Form.Item>
        </Col>
        {text('phone', t('customer.phone'))}
        {text('email', t('customer.email'), 12, { type: 'email' })}
        <Col xs={24} md={12}>
          <Form.Item name="industry" label={t('customer.industry')}>
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('customer.industryPlaceholder')}
              options={industryOptions(t, initial?.industry)}
              data-testid="customer-industry"
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="size_band" label={t('customer.sizeBand')}>
            <Select allowClear options={enumOptions(t, SIZE_BANDS, 'sizeBand')} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="region" label={t('customer.region')}>
            <Cascader
              allowClear
              changeOnSelect
              showSearch
              placeholder={t('customer.regionPlaceholder')}
              loading={regions.isPending}
              options={withStoredPath(regions.data ?? [], region)}
              style={{ width: '100%' }}
              data-testid="customer-region"
            />
          </Form.Item>
        </Col>
        {text('address', t('customer.address'))}
        {text('website', t('customer.website'))}
        {kind === 'company' && text('credit_code', t('customer.creditCode'))}
        <Col xs={24} md={8}>
          <Form.Item name="source_channel" label={t('customer.sourceChannel')}>
            <Select allowClear options={enumOptions(t, SOURCE_CHANNELS, 'source')} />
          </Form.Item>
        </Col>
        {mode === 'create' && (
          <Col xs={24} md={8}>
            <Form.Item name="lifecycle_stage" label={t('customer.stage')}>
              <Select options={enumOptions(t, LIFECYCLE_STAGES, 'stage')} data-testid="customer-stage" />
            </Form.Item>
          </Col>
        )}
        <Col xs={24} md={8}>
          <Form.Item name="value_tier" label={t('customer.valueTier')}>
            <Select allowClear options={enumOptions(t, VALUE_TIERS, 'tier')} />
          </Form.Item>
        </Col>
        <Col xs={24} md={mode === 'create' ? 24 : 8}>
          <Form.Item name="tags" label={t('customer.tags')}>
            <Select mode="tags" tokenSeparators={[',', '，']} open={false} suffixIcon={null} data-testid="customer-tags" />
          </Form.Item>
        </Col>
        {kind === 'individual' && (
          <>
            <Col xs={24} md={8}>
              <Form.Item name="gender" label={t('customer.gender')}>
                <Select allowClear options={enumOptions(t, GENDERS, 'gender')} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              {maskable('birthday', t('customer.birthday'), <DatePicker style={{ width: '100%' }} data-testid="customer-birthday" />)}
            </Col>
            {text('preferences', t('customer.preferences'), 8)}
            {/* the type and the number are checked together: a change to one checks the other again */}
            <Col xs={24} md={8}>
              <Form.Item name="id_type" label={t('customer.id_type')} rules={identity.id_type} dependencies={['id_number']}>
                <Select allowClear options={enumOptions(t, ID_TYPES, 'idType')} data-testid="customer-id_type" />
              </Form.Item>
            </Col>
            {text('id_number', t('customer.id_number'), 16, undefined, { rules: identity.id_number, dependencies: ['id_type'] })}
          </>
        )}
        {text('bank_name', t('customer.bank_name'))}
        {text('bank_account', t('customer.bank_account'))}
        {owners.enabled && (
          <Col xs={24} md={12}>
            <Form.Item name="owner_id" label={t('customer.owner')}>
              <Select showSearch={{ optionFilterProp: 'label' }} allowClear options={owners.options} loading={owners.loading} data-testid="customer-owner" />
            </Form.Item>
          </Col>
        )}
        <Col xs={24} md={12}>
          <Form.Item name="team_id" label={t('customer.team')}>
            <Select allowClear options={teams.options} loading={teams.loading} data-testid="customer-team" />
          </Form.Item>
        </Col>
        <Col xs={24}>
          <Form.Item name="notes" label={t('customer.notes')}>
            <Input.TextArea rows={3} />
          </Form.Item>
        </Col>
      </Row>
      {customFields.some((f) => !f.retired || (mode === 'edit' && !isEmptyValue(storedCustom?.[f.key]))) && (
        <>
          <Divider titlePlacement="start" plain>{t('customField.sectionTitle')}</Divider>
          <CustomFieldInputs fields={customFields} mode={mode} stored={storedCustom} />
        </>
      )}
      <DuplicateCandidates mode={mode} />
      <SaveCancel saving={submitting} saveTestId="customer-save" onCancel={onCancel} />
    </ProblemForm>
  );
}
