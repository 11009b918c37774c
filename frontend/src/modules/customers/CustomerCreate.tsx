import { App, Card, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { CustomerForm, toCreateBody } from './CustomerForm';
import { useCreateCustomer } from './useCustomers';

export default function CustomerCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useCreateCustomer();
  const { message } = App.useApp();
  return (
    <Card title={<Typography.Title level={4} style={{ margin: 0 }}>{t('customer.create')}</Typography.Title>}>
      <CustomerForm
        mode="create"
        submitting={create.isPending}
        onCancel={() => navigate(-1)}
        onSubmit={async (values) => {
          const c = await create.mutateAsync(toCreateBody(values));
          void message.success(t('customer.created'));
          navigate(`/customers/${c.id}`, { replace: true });
        }}
      />
    </Card>
  );
}
