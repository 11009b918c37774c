import { useState } from 'react';
import { Alert, App, Col, DatePicker, Form, Input, Row, Select, Spin, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { CURRENCIES, type CreateOrder, type Order, type UpdateOrder } from '../../api/types';
import { Loaded } from '../../ui/ErrorResult';
import { useFormProblem } from '../../ui/formErrors';
import { mergePatch } from '../../ui/mergePatch';
import { useVersionedEdit } from '../../ui/useVersionedEdit';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { LinesEditor } from './LinesEditor';
import { linesToForm, linesToWire, type LineFormValue } from './lines';
import { fetchOrder, useCreateOrder, useOrder, useUpdateOrder } from './useOrders';
import { organisationToday, useOrganisationTimeZone } from '../../ui/organisationTime';
import { FormPageCard, SaveCancel } from '../../ui/FormPage';
import type { CustomField } from '../../api/types';
import { CustomFieldSection } from '../customFields/CustomFieldInputs';
import { useCustomFields } from '../customFields/useCustomFields';
import { customErrorFields, customFieldsToForm, reapplyWith, withCustomCreate, withCustomPatch, type StoredValues } from '../customFields/values';

export interface OrderFormValues {
  customer_id?: string | null;
  order_date?: Dayjs | null;
  currency: string;
  lines?: LineFormValue[];
  notes?: string | null;
  custom_fields?: StoredValues;
}

export const ORDER_FIELDS = ['customer_id', 'order_date', 'currency', 'lines', 'notes'] as const;

export function orderToForm(o: Order, fields: readonly CustomField[] = []): OrderFormValues {
  return {
    customer_id: o.customer_id, order_date: dayjs(o.order_date), currency: o.total.currency, lines: linesToForm(o.lines), notes: o.notes ?? null,
    custom_fields: customFieldsToForm(fields, (o.custom_fields ?? {}) as StoredValues),
  };
}

function orderWire(v: OrderFormValues) {
  return {
    order_date: v.order_date ? v.order_date.format('YYYY-MM-DD') : null,
    lines: linesToWire(v.lines),
    notes: v.notes?.trim() ? v.notes.trim() : null,
  };
}

export function toCreateOrder(v: OrderFormValues, fields: readonly CustomField[] = []): CreateOrder {
  const w = orderWire(v);
  return withCustomCreate({
    customer_id: v.customer_id ?? '',
    currency: v.currency,
    lines: w.lines,
    ...(w.order_date ? { order_date: w.order_date } : {}),
    ...(w.notes ? { notes: w.notes } : {}),
  }, fields, v.custom_fields);
}

/** Only what changed in a draft (a merge patch; lines are replaced as a whole). */
export function toOrderPatch(base: Order, v: OrderFormValues, fields: readonly CustomField[] = []): UpdateOrder {
  return withCustomPatch(mergePatch(orderWire(orderToForm(base)), orderWire(v)), fields, base.custom_fields, v.custom_fields) as UpdateOrder;
}

function OrderFormBody({ mode, initial, order, submitting, onSubmit, onCancel, banner, form, customFields = [] }: {
  mode: 'create' | 'edit';
  initial: OrderFormValues;
  order?: Order;
  submitting: boolean;
  onSubmit: (v: OrderFormValues) => Promise<unknown>;
  onCancel: () => void;
  banner?: React.ReactNode;
  form: ReturnType<typeof Form.useForm<OrderFormValues>>[0];
  customFields?: readonly CustomField[];
}) {
  const { t } = useTranslation();
  const problem = useFormProblem(form, [...ORDER_FIELDS, ...customErrorFields(customFields)]);
  const [needsLines, setNeedsLines] = useState(false);
  const currency = (Form.useWatch('currency', form) as string | undefined) ?? initial.currency;
  const finish = async (values: OrderFormValues) => {
    problem.clear();
    setNeedsLines(linesToWire(values.lines).length === 0);
    if (linesToWire(values.lines).length === 0) return;
    try {
      await onSubmit(values);
    } catch (e) {
      problem.show(e);
    }
  };
  return (
    <Form<OrderFormValues> form={form} layout="vertical" initialValues={initial} onFinish={(v) => void finish(v)} scrollToFirstError data-testid="order-form">
      {banner}
      {needsLines && <Alert type="error" showIcon title={t('order.needsLines')} style={{ marginBottom: 16 }} data-testid="form-error" />}
      {problem.alert}
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name="customer_id" label={t('opportunity.customer')} rules={[{ required: true, message: t('validation.required') }]}>
            <CustomerPicker data-testid="order-customer" disabled={mode === 'edit'} allowClear={mode === 'create'} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="order_date" label={t('order.date')}>
            <DatePicker style={{ width: '100%' }} data-testid="order-date" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="currency" label={t('money.currency')} extra={mode === 'edit' ? t('order.currencyFixed') : undefined}>
            <Select disabled={mode === 'edit'} options={CURRENCIES.map((c) => ({ value: c, label: c }))} data-testid="order-currency" />
          </Form.Item>
        </Col>
        <Col xs={24}>
          <Typography.Text strong>{t('opportunity.products')}</Typography.Text>
          <div style={{ marginTop: 8 }}>
            <LinesEditor currency={currency} initialLines={order?.lines} />
          </div>
        </Col>
        <Col xs={24}>
          <Form.Item name="notes" label={t('order.notes')}>
            <Input.TextArea rows={3} data-testid="order-notes" />
          </Form.Item>
        </Col>
      </Row>
      <CustomFieldSection fields={customFields} mode={mode} stored={order ? ((order.custom_fields ?? {}) as StoredValues) : undefined} />
      <SaveCancel saving={submitting} saveTestId="order-save" onCancel={onCancel} />
    </Form>
  );
}

/** A new draft order; `?customer_id=` presets the customer. */
export function OrderCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const create = useCreateOrder();
  const { message } = App.useApp();
  const [form] = Form.useForm<OrderFormValues>();
  // today in the organisation's zone: the day reports count the order on
  const today = organisationToday(useOrganisationTimeZone());
  const customFields = useCustomFields('orders');
  const fields = customFields.data ?? [];
  const initial: OrderFormValues = {
    customer_id: params.get('customer_id') || null, order_date: dayjs(today), currency: 'CNY', lines: [{ quantity: 1 }], custom_fields: customFieldsToForm(fields, null),
  };
  // the custom fields' defaults fill the new form: it waits for their definitions (a failure leaves them out)
  if (customFields.isPending) return <Spin />;
  return (
    <FormPageCard title={t('order.create')}>
      <OrderFormBody
        mode="create"
        form={form}
        initial={initial}
        customFields={fields}
        submitting={create.isPending}
        onCancel={() => navigate(-1)}
        onSubmit={async (v) => {
          const o = await create.mutateAsync(toCreateOrder(v, fields));
          void message.success(t('order.created', { number: o.number }));
          navigate(`/sales/orders/${o.id}`, { replace: true });
        }}
      />
    </FormPageCard>
  );
}

export function OrderEdit() {
  const { id = '' } = useParams();
  const order = useOrder(id);
  const customFields = useCustomFields('orders');
  return (
    <Loaded query={order}>
      {(data) => <Loaded query={customFields}>{(fields) => <EditDraft key={data.id} order={data} fields={fields} />}</Loaded>}
    </Loaded>
  );
}

function EditDraft({ order, fields }: { order: Order; fields: readonly CustomField[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const update = useUpdateOrder();
  const { message } = App.useApp();
  const [form] = Form.useForm<OrderFormValues>();
  const toForm = (o: Order) => orderToForm(o, fields);
  const changes = (b: Order, v: OrderFormValues) => toOrderPatch(b, v, fields);
  const edit = useVersionedEdit({ record: order, latest: (base) => fetchOrder(base.id), form, toForm, changes, reapply: reapplyWith(toForm, changes) });
  const back = () => navigate(`/sales/orders/${order.id}`);

  if (order.status !== 'draft') return <Alert type="info" showIcon title={t('order.onlyDrafts')} />;
  return (
    <FormPageCard title={<>{t('order.edit')}: {(edit.base ?? order).number}</>}>
      <OrderFormBody
        mode="edit"
        form={form}
        order={edit.base ?? order}
        initial={orderToForm(order, fields)}
        customFields={fields}
        submitting={update.isPending}
        banner={edit.notice}
        onCancel={back}
        onSubmit={async (v) => {
          const outcome = await edit.saveChanges(v, (base, patch) => update.mutateAsync({ order: base, patch }));
          if (outcome === 'stale') return;
          if (outcome === 'saved') void message.success(t('common.saved'));
          back();
        }}
      />
    </FormPageCard>
  );
}
