import { App, Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import type { Opportunity } from '../../api/types';
import { Loaded } from '../../ui/ErrorResult';
import { useVersionedEdit } from '../../ui/useVersionedEdit';
import { OpportunityForm, opportunityToForm, toOpportunityPatch, type OpportunityFormValues } from './OpportunityForm';
import { fetchOpportunity, useOpportunity, useUpdateOpportunity } from './useOpportunities';
import { FormPageCard } from '../../ui/FormPage';

export default function OpportunityEdit() {
  const { id = '' } = useParams();
  const opportunity = useOpportunity(id);
  return <Loaded query={opportunity}>{(data) => <EditForm key={data.id} opportunity={data} />}</Loaded>;
}

function EditForm({ opportunity }: { opportunity: Opportunity }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const update = useUpdateOpportunity();
  const { message } = App.useApp();
  const [form] = Form.useForm<OpportunityFormValues>();
  const edit = useVersionedEdit({
    record: opportunity,
    latest: (base) => fetchOpportunity(base.id),
    form,
    toForm: opportunityToForm,
    changes: toOpportunityPatch,
  });
  const back = () => navigate(`/sales/opportunities/${opportunity.id}`);

  return (
    <FormPageCard title={<>{t('opportunity.edit')}: {(edit.base ?? opportunity).name}</>}>
      <OpportunityForm
        form={form}
        mode="edit"
        initial={opportunityToForm(opportunity)}
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
