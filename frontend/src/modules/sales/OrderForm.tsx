import { useState } from 'react';
import { Alert, App, Col, DatePicker, Form, Input, Row, Select, Typography } from 'antd';
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

export interface OrderFormValues {
  customer_id?: string | null;
  order_date?: Dayjs | null;
  currency: string;
  lines?: LineFormValue[];
  notes?: string | null;
}

export const ORDER_FIELDS = ['customer_id', 'order_date', 'currency', 'lines', 'notes'] as const;

export function orderToForm(o: Order): OrderFormValues {
  return { customer_id: o.customer_id, order_date: dayjs(o.order_date), currency: o.total.currency, lines: linesToForm(o.lines), notes: o.notes ?? null };
}

function orderWire(v: OrderFormValues) {
  return {
    order_date: v.order_date ? v.order_date.format('YYYY-MM-DD') : null,
    lines: linesToWire(v.lines),
    notes: v.notes?.trim() ? v.notes.trim() : null,
  };
}

export function toCreateOrder(v: OrderFormValues): CreateOrder {
  const w = orderWire(v);
  return {
    customer_id: v.customer_id ?? '',
    currency: v.currency,
    lines: w.lines,
    ...(w.order_date ? { order_date: w.order_date } : {}),
    ...(w.notes ? { notes: w.notes } : {}),
  };
}

/** Only what changed in a draft (a merge patch; lines are replaced as a whole). */
export function toOrderPatch(base: Order, v: OrderFormValues): UpdateOrder {
  return mergePatch(orderWire(orderToForm(base)), orderWire(v)) as UpdateOrder;
}

function OrderFormBody({ mode, initial, order, submitting, onSubmit, onCancel, banner, form }: {
  mode: 'create' | 'edit';
  initial: OrderFormValues;
  order?: Order;
  submitting: boolean;
  onSubmit: (v: OrderFormValues) => Promise<unknown>;
  onCancel: () => void;
  banner?: React.ReactNode;
  form: ReturnType<typeof Form.useForm<OrderFormValues>>[0];
}) {
  const { t } = useTranslation();
  const problem = useFormProblem(form, ORDER_FIELDS);
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
  const initial: OrderFormValues = { customer_id: params.get('customer_id') || null, order_date: dayjs(today), currency: 'CNY', lines: [{ quantity: 1 }] };
  return (
    <FormPageCard title={t('order.create')}>
      <OrderFormBody
        mode="create"
        form={form}
        initial={initial}
        submitting={create.isPending}
        onCancel={() => navigate(-1)}
        onSubmit={async (v) => {
          const o = await create.mutateAsync(toCreateOrder(v));
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
  return <Loaded query={order}>{(data) => <EditDraft key={data.id} order={data} />}</Loaded>;
}

function EditDraft({ order }: { order: Order }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const update = useUpdateOrder();
  const { message } = App.useApp();
  const [form] = Form.useForm<OrderFormValues>();
  const edit = useVersionedEdit({ record: order, latest: (base) => fetchOrder(base.id), form, toForm: orderToForm, changes: toOrderPatch });
  const back = () => navigate(`/sales/orders/${order.id}`);

  if (order.status !== 'draft') return <Alert type="info" showIcon title={t('order.onlyDrafts')} />;
  return (
    <FormPageCard title={<>{t('order.edit')}: {(edit.base ?? order).number}</>}>
      <OrderFormBody
        mode="edit"
        form={form}
        order={order}
        initial={orderToForm(order)}
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
