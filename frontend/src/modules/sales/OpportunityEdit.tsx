import { useState } from 'react';
import { Alert, App, Button, Card, Form, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { isProblemError } from '../../api/problem';
import type { Opportunity } from '../../api/types';
import { ErrorResult } from '../../ui/ErrorResult';
import { OpportunityForm, opportunityToForm, toOpportunityPatch, type OpportunityFormValues } from './OpportunityForm';
import { fetchOpportunity, useOpportunity, useUpdateOpportunity } from './useOpportunities';

export default function OpportunityEdit() {
  const { id = '' } = useParams();
  const opportunity = useOpportunity(id);
  if (opportunity.isPending) return <Spin />;
  if (opportunity.isError) return <ErrorResult error={opportunity.error} onRetry={() => void opportunity.refetch()} />;
  return <EditForm key={opportunity.data.id} opportunity={opportunity.data} />;
}

function EditForm({ opportunity }: { opportunity: Opportunity }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const update = useUpdateOpportunity();
  const { message } = App.useApp();
  const [form] = Form.useForm<OpportunityFormValues>();
  // The version the user's edits are based on; If-Match carries it.
  const [base, setBase] = useState(opportunity);
  const [stale, setStale] = useState(false);
  const [reloading, setReloading] = useState(false);
  const back = () => navigate(`/sales/opportunities/${opportunity.id}`);

  /** Loads the latest record and puts the user's own changes back on top of it. */
  const reloadAndReapply = async () => {
    setReloading(true);
    try {
      const current = form.getFieldsValue(true) as OpportunityFormValues;
      const mine = toOpportunityPatch(base, current);
      const latest = await fetchOpportunity(base.id);
      const values = opportunityToForm(latest) as unknown as Record<string, unknown>;
      for (const key of Object.keys(mine)) values[key] = (current as unknown as Record<string, unknown>)[key];
      setBase(latest);
      form.setFieldsValue(values as unknown as OpportunityFormValues);
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
    <Card title={<Typography.Title level={4} style={{ margin: 0 }}>{t('opportunity.edit')}: {base.name}</Typography.Title>}>
      <OpportunityForm
        form={form}
        mode="edit"
        initial={opportunityToForm(opportunity)}
        initialLines={opportunity.lines}
        submitting={update.isPending}
        banner={banner}
        onCancel={back}
        onSubmit={async (values) => {
          const patch = toOpportunityPatch(base, values);
          if (Object.keys(patch).length === 0) return back();
          try {
            await update.mutateAsync({ opportunity: base, patch });
          } catch (e) {
            if (isProblemError(e) && e.status === 412) setStale(true);
            throw e;
          }
          void message.success(t('common.saved'));
          back();
        }}
      />
    </Card>
  );
}
