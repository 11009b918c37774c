import { useState } from 'react';
import { Alert, App, Button, Card, Form, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { isProblemError } from '../../api/problem';
import type { Customer } from '../../api/types';
import { ErrorResult } from '../../ui/ErrorResult';
import { CustomerForm, diffPatch, toFormValues, toUpdatePatch, toWire, type CustomerFormValues } from './CustomerForm';
import { useCustomer, useUpdateCustomer } from './useCustomers';

export default function CustomerEdit() {
  const { id = '' } = useParams();
  const customer = useCustomer(id);
  if (customer.isPending) return <Spin />;
  if (customer.isError) return <ErrorResult error={customer.error} onRetry={() => void customer.refetch()} />;
  return <EditForm key={customer.data.id} customer={customer.data} refetch={async () => (await customer.refetch()).data} />;
}

function EditForm({ customer, refetch }: { customer: Customer; refetch: () => Promise<Customer | undefined> }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const update = useUpdateCustomer();
  const { message } = App.useApp();
  const [form] = Form.useForm<CustomerFormValues>();
  // The version the user's edits are based on; If-Match carries it.
  const [base, setBase] = useState(customer);
  const [stale, setStale] = useState(false);
  const [reloading, setReloading] = useState(false);

  /** Loads the latest record and puts the user's own changes back on top of it. */
  const reloadAndReapply = async () => {
    setReloading(true);
    try {
      const mine = diffPatch(toWire(toFormValues(base)), toWire(form.getFieldsValue(true) as CustomerFormValues));
      const latest = await refetch();
      if (!latest) return;
      const latestValues = toFormValues(latest);
      const reapplied = { ...latestValues };
      for (const key of Object.keys(mine) as (keyof CustomerFormValues)[]) {
        (reapplied as Record<string, unknown>)[key] = form.getFieldValue(key);
      }
      setBase(latest);
      form.setFieldsValue(reapplied);
      setStale(false);
      void message.info(t('stale.reapplied'));
    } finally {
      setReloading(false);
    }
  };

  const banner = stale ? (
    <Alert
      type="warning"
      showIcon
      data-testid="stale-notice"
      style={{ marginBottom: 16 }}
      title={t('stale.title')}
      description={t('stale.description')}
      action={
        <Button size="small" loading={reloading} onClick={() => void reloadAndReapply()} data-testid="stale-reload">
          {t('stale.reload')}
        </Button>
      }
    />
  ) : null;

  return (
    <Card title={<Typography.Title level={4} style={{ margin: 0 }}>{t('customer.edit')}: {base.name}</Typography.Title>}>
      <CustomerForm
        form={form}
        mode="edit"
        initial={toFormValues(customer)}
        submitting={update.isPending}
        banner={banner}
        onCancel={() => navigate(`/customers/${customer.id}`)}
        onSubmit={async (values) => {
          const patch = toUpdatePatch(base, values);
          if (Object.keys(patch).length === 0) {
            navigate(`/customers/${customer.id}`);
            return;
          }
          try {
            await update.mutateAsync({ id: base.id, version: base.version, patch });
          } catch (e) {
            if (isProblemError(e) && e.status === 412) setStale(true);
            throw e;
          }
          void message.success(t('common.saved'));
          navigate(`/customers/${customer.id}`);
        }}
      />
    </Card>
  );
}
