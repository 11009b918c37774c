import { Button, Col, DatePicker, Form, Input, InputNumber, Row, Select, Space, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { OPPORTUNITY_SOURCES, type CreateOpportunity, type Line, type Opportunity, type OpportunitySource, type UpdateOpportunity } from '../../api/types';
import { useFormProblem } from '../../ui/formErrors';
import { mergePatch, withoutNulls } from '../../ui/mergePatch';
import { MoneyInput } from '../../ui/MoneyInput';
import { isValidMoney, type MoneyValue } from '../../ui/money';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { ContactSelect } from '../customers/ContactSelect';
import { enumOptions, useOwnerOptions } from '../../ui/useOptions';
import { LinesEditor } from './LinesEditor';
import { linesToForm, linesToWire, type LineFormValue } from './lines';
import { orderedStages, pickPipeline, usePipelines } from './usePipelines';
import { ProblemForm, SaveCancel } from '../../ui/FormPage';
import type { CustomField } from '../../api/types';
import { CustomFieldSection } from '../customFields/CustomFieldInputs';
import { customErrorFields, customFieldsToForm, withCustomCreate, withCustomPatch, type StoredValues } from '../customFields/values';

/** What the form holds: the API's writable fields, the close date as dayjs, money as minor units. */
export interface OpportunityFormValues {
  name: string;
  customer_id?: string | null;
  contact_id?: string | null;
  pipeline_id?: string | null;
  stage_id?: string | null;
  amount?: MoneyValue | null;
  expected_close_date?: Dayjs | null;
  probability?: number | null;
  source?: OpportunitySource | null;
  competitors?: { name?: string; notes?: string | null }[];
  description?: string | null;
  owner_id?: string | null;
  lines?: LineFormValue[];
  custom_fields?: StoredValues;
}

export const OPPORTUNITY_FIELDS = [
  'name', 'customer_id', 'contact_id', 'pipeline_id', 'stage_id', 'amount', 'expected_close_date', 'probability', 'source',
  'competitors', 'description', 'owner_id', 'lines',
] as const;
/** Fields one input edits as a whole: `amount.amount_minor` errors show at the amount. */
const WHOLE_FIELDS = ['amount'];

export function opportunityToForm(o: Opportunity, fields: readonly CustomField[] = []): OpportunityFormValues {
  return {
    custom_fields: customFieldsToForm(fields, (o.custom_fields ?? {}) as StoredValues),
    name: o.name,
    customer_id: o.customer_id,
    contact_id: o.contact_id ?? null,
    pipeline_id: o.pipeline_id,
    stage_id: o.stage.id,
    amount: { amount_minor: o.amount.amount_minor, currency: o.amount.currency },
    expected_close_date: o.expected_close_date ? dayjs(o.expected_close_date) : null,
    probability: o.probability ?? null,
    source: o.source ?? null,
    competitors: o.competitors.map((c) => ({ name: c.name, notes: c.notes ?? null })),
    description: o.description ?? null,
    owner_id: o.owner_id,
    lines: linesToForm(o.lines),
  };
}

const blank = (s: string | null | undefined) => {
  const v = s?.trim();
  return v ? v : null;
};

/** The fields PATCH takes, as the API wants them (blank text is null, the date `YYYY-MM-DD`). */
function editable(v: OpportunityFormValues): Record<string, unknown> {
  const lines = linesToWire(v.lines);
  const currency = v.amount?.currency ?? 'CNY';
  return {
    name: v.name.trim(),
    contact_id: v.contact_id ?? null,
    // with product lines the server sums them: the amount only carries the currency
    amount: lines.length > 0 ? { amount_minor: 0, currency } : v.amount ? { amount_minor: v.amount.amount_minor, currency } : { amount_minor: 0, currency },
    lines,
    expected_close_date: v.expected_close_date ? v.expected_close_date.format('YYYY-MM-DD') : null,
    probability: v.probability ?? null,
    source: v.source ?? null,
    competitors: (v.competitors ?? [])
      .filter((c) => blank(c.name))
      .map((c) => ({ name: (c.name ?? '').trim(), notes: blank(c.notes) })),
    description: blank(v.description),
    ...(v.owner_id ? { owner_id: v.owner_id } : {}),
  };
}

export function toCreateOpportunity(v: OpportunityFormValues, fields: readonly CustomField[] = []): CreateOpportunity {
  const wire: Record<string, unknown> = withoutNulls({
    ...editable(v),
    customer_id: v.customer_id,
    ...(v.pipeline_id ? { pipeline_id: v.pipeline_id } : {}),
    ...(v.stage_id ? { stage_id: v.stage_id } : {}),
  });
  if ((wire.lines as unknown[]).length === 0) delete wire.lines;
  return withCustomCreate(wire, fields, v.custom_fields) as unknown as CreateOpportunity;
}

/** Only what changed since `base` (a merge patch); customer, pipeline and stage are not edited here. */
export function toOpportunityPatch(base: Opportunity, v: OpportunityFormValues, fields: readonly CustomField[] = []): UpdateOpportunity {
  const after = editable(v);
  const patch = mergePatch(editable(opportunityToForm(base)), after);
  // new lines set a new amount; the amount says in which currency
  if ('lines' in patch) patch.amount = after.amount;
  return withCustomPatch(patch, fields, base.custom_fields, v.custom_fields) as UpdateOpportunity;
}

interface Props {
  mode: 'create' | 'edit';
  /** The stored lines (for product names and prices before anything is searched). */
  initialLines?: readonly Line[];
  initial: OpportunityFormValues;
  submitting: boolean;
  onSubmit: (values: OpportunityFormValues) => Promise<unknown>;
  onCancel: () => void;
  banner?: React.ReactNode;
  form?: ReturnType<typeof Form.useForm<OpportunityFormValues>>[0];
  /** The opportunities' custom field definitions, and on edit the stored values. */
  customFields?: readonly CustomField[];
  storedCustom?: StoredValues;
}

export function OpportunityForm({ mode, initial, initialLines, submitting, onSubmit, onCancel, banner, form: external, customFields = [], storedCustom }: Props) {
  const { t } = useTranslation();
  const [own] = Form.useForm<OpportunityFormValues>();
  const form = external ?? own;
  const problem = useFormProblem(form, [...OPPORTUNITY_FIELDS, ...customErrorFields(customFields)], { wholeFields: WHOLE_FIELDS });
  const customerId = Form.useWatch('customer_id', form) ?? initial.customer_id ?? undefined;
  const pipelineId = Form.useWatch('pipeline_id', form) ?? initial.pipeline_id ?? undefined;
  const pipelines = usePipelines();
  const owners = useOwnerOptions();
  const pipeline = pickPipeline(pipelines.data, pipelineId ?? undefined);
  const lines = Form.useWatch('lines', form) as LineFormValue[] | undefined;
  const hasLines = (lines ?? []).some((l) => l?.product_id);
  const currency = (Form.useWatch('amount', form) as MoneyValue | null | undefined)?.currency ?? initial.amount?.currency ?? 'CNY';
  const openStages = orderedStages(pipeline).filter((s) => s.kind === 'open' && !s.retired);

  return (
    <ProblemForm<OpportunityFormValues>
      form={form}
      initialValues={initial}
      problem={problem}
      onSave={onSubmit}
      notice={banner}
      onValuesChange={(changed: Partial<OpportunityFormValues>) => {
        // a product line may settle a complaint about the amount, never raise one early
        if ('lines' in changed && form.getFieldError('amount').length > 0) void form.validateFields(['amount']).catch(() => undefined);
      }}
      data-testid="opportunity-form"
    >
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name="name" label={t('opportunity.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 200 }]}>
            <Input data-testid="opportunity-name" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="customer_id" label={t('opportunity.customer')} rules={[{ required: true, message: t('validation.required') }]}>
            {mode === 'create' ? (
              // another customer's contacts do not apply
              <CustomerPicker data-testid="opportunity-customer" onChange={() => form.setFieldsValue({ contact_id: null })} />
            ) : (
              <CustomerPicker data-testid="opportunity-customer" allowClear={false} disabled />
            )}
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="contact_id" label={t('opportunity.contact')}>
            <ContactSelect customerId={customerId} placeholder={t('opportunity.pickCustomerFirst')} data-testid="opportunity-contact" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item
            name="amount"
            label={t('opportunity.amount')}
            extra={hasLines ? t('opportunity.amountFromLines') : undefined}
            rules={[
              ({ getFieldValue }) => ({
                // with product lines the amount is their total; without, it is required
                validator: (_r, v?: MoneyValue | null) =>
                  ((getFieldValue('lines') as LineFormValue[] | undefined) ?? []).some((l) => l?.product_id) || (v && isValidMoney(v))
                    ? Promise.resolve()
                    : Promise.reject(new Error(v ? t('money.invalid') : t('validation.required'))),
              }),
            ]}
          >
            <MoneyInput data-testid="opportunity-amount" disabled={hasLines} />
          </Form.Item>
        </Col>
        {mode === 'create' && (
          <>
            <Col xs={24} md={12}>
              <Form.Item name="pipeline_id" label={t('board.pipeline')}>
                <Select
                  options={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
                  loading={pipelines.isLoading}
                  onChange={() => form.setFieldsValue({ stage_id: null })}
                  data-testid="opportunity-pipeline"
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="stage_id" label={t('opportunity.stage')} extra={t('opportunity.stageDefault')}>
                <Select allowClear options={openStages.map((s) => ({ value: s.id, label: `${s.name} (${s.probability}%)` }))} data-testid="opportunity-stage" />
              </Form.Item>
            </Col>
          </>
        )}
        <Col xs={24} md={8}>
          <Form.Item name="expected_close_date" label={t('opportunity.expectedClose')}>
            <DatePicker style={{ width: '100%' }} data-testid="opportunity-close-date" />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item
            name="probability"
            label={t('opportunity.probabilityOverride')}
            extra={t('opportunity.probabilityHint')}
            rules={[{ type: 'integer', min: 0, max: 100, message: t('validation.range', { min: 0, max: 100 }) }]}
          >
            <InputNumber min={0} max={100} precision={0} suffix="%" style={{ width: '100%' }} data-testid="opportunity-probability" />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name="source" label={t('opportunity.source')}>
            <Select allowClear options={enumOptions(t, OPPORTUNITY_SOURCES, 'source')} data-testid="opportunity-source" />
          </Form.Item>
        </Col>
        {owners.enabled && (
          <Col xs={24} md={12}>
            <Form.Item name="owner_id" label={t('opportunity.owner')} extra={mode === 'create' ? t('task.assigneeDefault') : undefined}>
              <Select showSearch={{ optionFilterProp: 'label' }} allowClear={mode === 'create'} options={owners.options} loading={owners.loading} data-testid="opportunity-owner" />
            </Form.Item>
          </Col>
        )}
        <Col xs={24}>
          <Typography.Text strong>{t('opportunity.products')}</Typography.Text>
          <div style={{ marginTop: 8 }}>
            <LinesEditor currency={currency} initialLines={initialLines} />
          </div>
        </Col>
        <Col xs={24}>
          <Typography.Text strong>{t('opportunity.competitors')}</Typography.Text>
          <Form.List name="competitors">
            {(fields, { add, remove }) => (
              <div style={{ marginTop: 8 }} data-testid="opportunity-competitors">
                {fields.map((f) => (
                  <Space key={f.key} align="baseline" style={{ display: 'flex' }} wrap>
                    <Form.Item name={[f.name, 'name']} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 200 }]}>
                      <Input placeholder={t('opportunity.competitorName')} data-testid="competitor-name" />
                    </Form.Item>
                    <Form.Item name={[f.name, 'notes']}>
                      <Input placeholder={t('opportunity.competitorNotes')} style={{ minWidth: 280 }} data-testid="competitor-notes" />
                    </Form.Item>
                    <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(f.name)} aria-label={t('common.delete')} />
                  </Space>
                ))}
                <Form.Item>
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: '', notes: null })} data-testid="competitor-add">
                    {t('opportunity.addCompetitor')}
                  </Button>
                </Form.Item>
              </div>
            )}
          </Form.List>
        </Col>
        <Col xs={24}>
          <Form.Item name="description" label={t('opportunity.description')}>
            <Input.TextArea rows={3} data-testid="opportunity-description" />
          </Form.Item>
        </Col>
      </Row>
      <CustomFieldSection fields={customFields} mode={mode} stored={storedCustom} />
      <SaveCancel saving={submitting} saveTestId="opportunity-save" onCancel={onCancel} />
    </ProblemForm>
  );
}
