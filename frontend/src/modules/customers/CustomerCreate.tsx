import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { CustomerForm, toCreateBody } from './CustomerForm';
import { useCreateCustomer } from './useCustomers';
import { FormPageCard } from '../../ui/FormPage';
import { Loaded } from '../../ui/ErrorResult';
import { useCustomFields } from '../customFields/useCustomFields';

export default function CustomerCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useCreateCustomer();
  const customFields = useCustomFields('customers');
  const { message } = App.useApp();
  return (
    <FormPageCard title={t('customer.create')}>
      {/* the custom fields' defaults fill the new form, so it waits for their definitions */}
      <Loaded query={customFields}>
        {(fields) => (
          <CustomerForm
            mode="create"
            customFields={fields}
            submitting={create.isPending}
            onCancel={() => navigate(-1)}
            onSubmit={async (values) => {
              const c = await create.mutateAsync(toCreateBody(values, fields));
              void message.success(t('customer.created'));
              navigate(`/customers/${c.id}`, { replace: true });
            }}
          />
        )}
      </Loaded>
    </FormPageCard>
  );
}
