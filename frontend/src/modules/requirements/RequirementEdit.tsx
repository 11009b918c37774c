import { useState } from 'react';
import { Alert, App, Button, Card, Form, Space, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { isProblemError } from '../../api/problem';
import type { Requirement } from '../../api/types';
import { ErrorResult } from '../../ui/ErrorResult';
import { applyProblemToForm } from '../../ui/formErrors';
import { RequirementFields } from './RequirementFields';
import { REQUIREMENT_FIELDS, requirementToForm, toRequirementPatch, type RequirementFormValues } from './requirementForm';
import { fetchRequirement, useRequirement, useUpdateRequirement } from './useRequirements';

export default function RequirementEdit() {
  const { id = '' } = useParams();
  const requirement = useRequirement(id);
  if (requirement.isPending) return <Spin />;
  if (requirement.isError) return <ErrorResult error={requirement.error} onRetry={() => void requirement.refetch()} />;
  return <EditForm key={requirement.data.id} requirement={requirement.data} />;
}

function EditForm({ requirement }: { requirement: Requirement }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const update = useUpdateRequirement();
  const { message } = App.useApp();
  const [form] = Form.useForm<RequirementFormValues>();
  // the version the user's edits are based on; If-Match carries it
  const [base, setBase] = useState(requirement);
  const [stale, setStale] = useState(false);
  const [reloading, setReloading] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const back = () => navigate(`/requirements/${requirement.id}`);

  /** Loads the latest record and puts the user's own changes back on top of it. */
  const reloadAndReapply = async () => {
    setReloading(true);
    try {
      const current = form.getFieldsValue(true) as RequirementFormValues;
      const mine = toRequirementPatch(base, current);
      const latest = await fetchRequirement(base.id);
      const values = requirementToForm(latest) as unknown as Record<string, unknown>;
      for (const key of Object.keys(mine)) values[key] = (current as unknown as Record<string, unknown>)[key];
      setBase(latest);
      form.setFieldsValue(values as unknown as RequirementFormValues);
      setStale(false);
      void message.info(t('stale.reapplied'));
    } finally {
      setReloading(false);
    }
  };

  const finish = async (values: RequirementFormValues) => {
    setFormError(null);
    const patch = toRequirementPatch(base, values);
    if (Object.keys(patch).length === 0) return back();
    try {
      await update.mutateAsync({ requirement: base, patch });
      void message.success(t('common.saved'));
      back();
    } catch (e) {
      if (isProblemError(e) && e.status === 412) return setStale(true);
      setFormError(applyProblemToForm(form, e, REQUIREMENT_FIELDS));
    }
  };

  return (
    <Card title={<Typography.Title level={4} style={{ margin: 0 }}>{t('requirement.edit')}: {base.number}</Typography.Title>}>
      <Form<RequirementFormValues> form={form} layout="vertical" initialValues={requirementToForm(requirement)} onFinish={(v) => void finish(v)} scrollToFirstError data-testid="requirement-form">
        {stale && (
          <Alert
            type="warning"
            showIcon
            data-testid="stale-notice"
            style={{ marginBottom: 16 }}
            title={t('stale.title')}
            description={t('stale.description')}
            action={<Button size="small" loading={reloading} onClick={() => void reloadAndReapply()} data-testid="stale-reload">{t('stale.reload')}</Button>}
          />
        )}
        {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} data-testid="form-error" />}
        <RequirementFields />
        <Space>
          <Button type="primary" htmlType="submit" loading={update.isPending} data-testid="requirement-save">{t('common.save')}</Button>
          <Button onClick={back}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </Card>
  );
}
