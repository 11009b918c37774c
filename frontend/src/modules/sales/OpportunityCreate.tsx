import { App, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { OpportunityForm, toCreateOpportunity, type OpportunityFormValues } from './OpportunityForm';
import { useCreateOpportunity } from './useOpportunities';
import { pickPipeline, usePipelines } from './usePipelines';
import { FormPageCard } from '../../ui/FormPage';
import { useCustomFields } from '../customFields/useCustomFields';
import { customFieldsToForm } from '../customFields/values';

/** A new opportunity; `?customer_id=` presets the customer (from the customer page), `?pipeline=` the pipeline. */
export default function OpportunityCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const create = useCreateOpportunity();
  const pipelines = usePipelines();
  const customFields = useCustomFields('opportunities');
  const { message } = App.useApp();
  // the custom fields' defaults fill the new form: it waits for their definitions (a failure leaves them out)
  if (pipelines.isPending || customFields.isPending) return <Spin />;
  const fields = customFields.data ?? [];
  const initial: OpportunityFormValues = {
    name: '',
    customer_id: params.get('customer_id') || null,
    pipeline_id: pickPipeline(pipelines.data, params.get('pipeline') ?? undefined)?.id ?? null,
    amount: null,
    competitors: [],
    custom_fields: customFieldsToForm(fields, null),
  };
  return (
    <FormPageCard title={t('opportunity.create')}>
      <OpportunityForm
        mode="create"
        initial={initial}
        customFields={fields}
        submitting={create.isPending}
        onCancel={() => navigate(-1)}
        onSubmit={async (values) => {
          const o = await create.mutateAsync(toCreateOpportunity(values, fields));
          void message.success(t('opportunity.created'));
          navigate(`/sales/opportunities/${o.id}`, { replace: true });
        }}
      />
    </FormPageCard>
  );
}
