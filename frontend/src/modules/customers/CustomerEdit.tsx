import { useState } from 'react';
import { App, Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import type { Customer, CustomField } from '../../api/types';
import { Loaded } from '../../ui/ErrorResult';
import { useVersionedEdit } from '../../ui/useVersionedEdit';
import { CustomerForm, storedCustomFields, toFormValues, toUpdatePatch, type CustomerFormValues } from './CustomerForm';
import { useCustomer, useUpdateCustomer } from './useCustomers';
import { FormPageCard } from '../../ui/FormPage';
import { fetchClear, useReveal } from '../../ui/PersonalValue';
import { useCustomFields } from '../customFields/useCustomFields';
import { reapplyCustomFields } from '../customFields/values';

export default function CustomerEdit() {
  const { id = '' } = useParams();
  const customer = useCustomer(id);
  const customFields = useCustomFields('customers');
  return (
    <Loaded query={customer}>
      {(data) => (
        <Loaded query={customFields}>
          {(fields) => <EditForm key={data.id} customer={data} fields={fields} refetch={async () => (await customer.refetch()).data} />}
        </Loaded>
      )}
    </Loaded>
  );
}

/**
 * The latest version with the person's changes on top (after a 412): the fields they changed, and
 * of the custom fields only the keys they changed.
 */
function reapply(fields: readonly CustomField[]) {
  return (from: Customer, latest: Customer, mine: CustomerFormValues): CustomerFormValues => {
    const patch = toUpdatePatch(from, mine, fields);
    const values = toFormValues(latest, fields) as unknown as Record<string, unknown>;
    const current = mine as unknown as Record<string, unknown>;
    for (const key of Object.keys(patch)) {
      if (key !== 'custom_fields' && key in current) values[key] = current[key];
    }
    return reapplyCustomFields(values as unknown as CustomerFormValues, mine, patch);
  };
}

function EditForm({ customer, fields, refetch }: { customer: Customer; fields: readonly CustomField[]; refetch: () => Promise<Customer | undefined> }) {
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
    toForm: (c) => toFormValues(c, fields),
    changes: (b, v) => toUpdatePatch(b, v, fields),
    reapply: reapply(fields),
  });
  const base = edit.base ?? customer;
  const personal = useReveal('customer', base);
  const back = () => navigate(`/customers/${customer.id}`);

  return (
    <FormPageCard title={<>{t('customer.edit')}: {(edit.base ?? customer).name}</>}>
      <CustomerForm
        form={form}
        mode="edit"
        initial={toFormValues(customer, fields)}
        customFields={fields}
        storedCustom={storedCustomFields(base)}
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
