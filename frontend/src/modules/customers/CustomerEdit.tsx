import { useState } from 'react';
import { App, Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import type { Customer } from '../../api/types';
import { Loaded } from '../../ui/ErrorResult';
import { useVersionedEdit } from '../../ui/useVersionedEdit';
import { CustomerForm, toFormValues, toUpdatePatch, type CustomerFormValues } from './CustomerForm';
import { useCustomer, useUpdateCustomer } from './useCustomers';
import { FormPageCard } from '../../ui/FormPage';
import { fetchClear, useReveal } from '../../ui/PersonalValue';

export default function CustomerEdit() {
  const { id = '' } = useParams();
  const customer = useCustomer(id);
  return <Loaded query={customer}>{(data) => <EditForm key={data.id} customer={data} refetch={async () => (await customer.refetch()).data} />}</Loaded>;
}

function EditForm({ customer, refetch }: { customer: Customer; refetch: () => Promise<Customer | undefined> }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const update = useUpdateCustomer();
  const { message } = App.useApp();
  const [form] = Form.useForm<CustomerFormValues>();
  // once the person revealed the record, a reload after a 412 reads it in clear too (audited again)
  const [revealed, setRevealed] = useState(false);
  const edit = useVersionedEdit({
    record: customer,
    latest: async (base) => (revealed ? ((await fetchClear('customer', base.id)) as Customer) : refetch()),
    form,
    toForm: toFormValues,
    changes: toUpdatePatch,
  });
  const base = edit.base ?? customer;
  const personal = useReveal('customer', base);
  const back = () => navigate(`/customers/${customer.id}`);

  return (
    <FormPageCard title={<>{t('customer.edit')}: {(edit.base ?? customer).name}</>}>
      <CustomerForm
        form={form}
        mode="edit"
        initial={toFormValues(customer)}
        masked={{
          fields: base.masked,
          reveal: () =>
            personal.reveal((clear) => {
              setRevealed(true);
              edit.adopt(clear);
            }),
          revealing: personal.pending,
        }}
        submitting={update.isPending}
        banner={edit.notice}
        onCancel={back}
        onSubmit={async (values) => {
          const outcome = await edit.saveChanges(values, (base, patch) => update.mutateAsync({ id: base.id, version: base.version, patch }));
          if (outcome === 'stale') return;
          if (outcome === 'saved') void message.success(t('common.saved'));
          back();
        }}
      />
    </FormPageCard>
  );
}
