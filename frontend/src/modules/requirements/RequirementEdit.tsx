import { App, Button, Card, Form, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import type { Requirement } from '../../api/types';
import { Loaded } from '../../ui/ErrorResult';
import { useFormProblem } from '../../ui/formErrors';
import { useVersionedEdit } from '../../ui/useVersionedEdit';
import { RequirementFields } from './RequirementFields';
import { REQUIREMENT_FIELDS, requirementToForm, toRequirementPatch, type RequirementFormValues } from './requirementForm';
import { fetchRequirement, useRequirement, useUpdateRequirement } from './useRequirements';

export default function RequirementEdit() {
  const { id = '' } = useParams();
  const requirement = useRequirement(id);
  return <Loaded query={requirement}>{(data) => <EditForm key={data.id} requirement={data} />}</Loaded>;
}

function EditForm({ requirement }: { requirement: Requirement }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const update = useUpdateRequirement();
  const { message } = App.useApp();
  const [form] = Form.useForm<RequirementFormValues>();
  const problem = useFormProblem(form, REQUIREMENT_FIELDS);
  const edit = useVersionedEdit({
    record: requirement,
    latest: (base) => fetchRequirement(base.id),
    form,
    toForm: requirementToForm,
    changes: toRequirementPatch,
  });
  const back = () => navigate(`/requirements/${requirement.id}`);

  const finish = async (values: RequirementFormValues) => {
    const outcome = await edit.saveChanges(values, (base, patch) => update.mutateAsync({ requirement: base, patch }));
    if (outcome === 'stale') return;
    if (outcome === 'saved') void message.success(t('common.saved'));
    back();
  };

  return (
    <Card title={<Typography.Title level={4} style={{ margin: 0 }}>{t('requirement.edit')}: {(edit.base ?? requirement).number}</Typography.Title>}>
      <Form<RequirementFormValues> form={form} layout="vertical" initialValues={requirementToForm(requirement)} {...problem.submitProps(finish)} data-testid="requirement-form">
        {edit.notice}
        {problem.alert}
        <RequirementFields />
        <Space>
          <Button type="primary" htmlType="submit" loading={update.isPending} data-testid="requirement-save">{t('common.save')}</Button>
          <Button onClick={back}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </Card>
  );
}
