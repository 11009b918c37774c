import { App, Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import type { Requirement } from '../../api/types';
import { Loaded } from '../../ui/ErrorResult';
import { useFormProblem } from '../../ui/formErrors';
import { useVersionedEdit } from '../../ui/useVersionedEdit';
import { RequirementFields } from './RequirementFields';
import { REQUIREMENT_FIELDS, requirementToForm, toRequirementPatch, type RequirementFormValues } from './requirementForm';
import { fetchRequirement, useRequirement, useUpdateRequirement } from './useRequirements';
import { FormPageCard, ProblemForm, SaveCancel } from '../../ui/FormPage';

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
    <FormPageCard title={<>{t('requirement.edit')}: {(edit.base ?? requirement).number}</>}>
      <ProblemForm<RequirementFormValues>
        form={form}
        initialValues={requirementToForm(requirement)}
        problem={problem}
        onSave={finish}
        notice={edit.notice}
        data-testid="requirement-form"
      >
        <RequirementFields />
        <SaveCancel saving={update.isPending} saveTestId="requirement-save" onCancel={back} />
      </ProblemForm>
    </FormPageCard>
  );
}
