import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { CustomerForm, toCreateBody } from './CustomerForm';
import { useCreateCustomer } from './useCustomers';
import { FormPageCard } from '../../ui/FormPage';

export default function CustomerCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useCreateCustomer();
  const { message } = App.useApp();
  return (
    <FormPageCard title={t('customer.create')}>
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
    </FormPageCard>
  );
}
