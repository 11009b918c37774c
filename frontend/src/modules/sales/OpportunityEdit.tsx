import { App, Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import type { CustomField, Opportunity } from '../../api/types';
import { Loaded } from '../../ui/ErrorResult';
import { useVersionedEdit } from '../../ui/useVersionedEdit';
import { OpportunityForm, opportunityToForm, toOpportunityPatch, type OpportunityFormValues } from './OpportunityForm';
import { fetchOpportunity, useOpportunity, useUpdateOpportunity } from './useOpportunities';
import { FormPageCard } from '../../ui/FormPage';
import { useCustomFields } from '../customFields/useCustomFields';
import { reapplyCustomFields, type StoredValues } from '../customFields/values';

export default function OpportunityEdit() {
  const { id = '' } = useParams();
  const opportunity = useOpportunity(id);
  const customFields = useCustomFields('opportunities');
  return (
    <Loaded query={opportunity}>
      {(data) => <Loaded query={customFields}>{(fields) => <EditForm key={data.id} opportunity={data} fields={fields} />}</Loaded>}
    </Loaded>
  );
}

function EditForm({ opportunity, fields }: { opportunity: Opportunity; fields: readonly CustomField[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const update = useUpdateOpportunity();
  const { message } = App.useApp();
  const [form] = Form.useForm<OpportunityFormValues>();
  const edit = useVersionedEdit({
    record: opportunity,
    latest: (base) => fetchOpportunity(base.id),
    form,
    toForm: (o) => opportunityToForm(o, fields),
    changes: (b, v) => toOpportunityPatch(b, v, fields),
    reapply: (from, latest, mine) => {
      const patch = toOpportunityPatch(from, mine, fields);
      const values = opportunityToForm(latest, fields) as unknown as Record<string, unknown>;
      const current = mine as unknown as Record<string, unknown>;
      for (const key of Object.keys(patch)) if (key !== 'custom_fields' && key in current) values[key] = current[key];
      return reapplyCustomFields(values as unknown as OpportunityFormValues, mine, patch);
    },
  });
  const back = () => navigate(`/sales/opportunities/${opportunity.id}`);

  return (
    <FormPageCard title={<>{t('opportunity.edit')}: {(edit.base ?? opportunity).name}</>}>
      <OpportunityForm
        form={form}
        mode="edit"
        initial={opportunityToForm(opportunity, fields)}
        customFields={fields}
        storedCustom={((edit.base ?? opportunity).custom_fields ?? {}) as StoredValues}
        initialLines={opportunity.lines}
        submitting={update.isPending}
        banner={edit.notice}
        onCancel={back}
        onSubmit={async (values) => {
          const outcome = await edit.saveChanges(values, (base, patch) => update.mutateAsync({ opportunity: base, patch }));
          if (outcome === 'stale') return;
          if (outcome === 'saved') void message.success(t('common.saved'));
          back();
        }}
      />
    </FormPageCard>
  );
}
