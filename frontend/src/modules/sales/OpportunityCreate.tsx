import { App, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { OpportunityForm, toCreateOpportunity, type OpportunityFormValues } from './OpportunityForm';
import { useCreateOpportunity } from './useOpportunities';
import { pickPipeline, usePipelines } from './usePipelines';
import { FormPageCard } from '../../ui/FormPage';

/** A new opportunity; `?customer_id=` presets the customer (from the customer page), `?pipeline=` the pipeline. */
export default function OpportunityCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const create = useCreateOpportunity();
  const pipelines = usePipelines();
  const { message } = App.useApp();
  if (pipelines.isPending) return <Spin />;
  const initial: OpportunityFormValues = {
    name: '',
    customer_id: params.get('customer_id') || null,
    pipeline_id: pickPipeline(pipelines.data, params.get('pipeline') ?? undefined)?.id ?? null,
    amount: null,
    competitors: [],
  };
  return (
    <FormPageCard title={t('opportunity.create')}>
      <OpportunityForm
        mode="create"
        initial={initial}
        submitting={create.isPending}
        onCancel={() => navigate(-1)}
        onSubmit={async (values) => {
          const o = await create.mutateAsync(toCreateOpportunity(values));
          void message.success(t('opportunity.created'));
          navigate(`/sales/opportunities/${o.id}`, { replace: true });
        }}
      />
    </FormPageCard>
  );
}
