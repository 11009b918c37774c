import { useEffect } from 'react';
import { Alert, DatePicker, Form, Input, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { Requirement, RequirementStatus, UpdateRequirement } from '../../api/types';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem } from '../../ui/formErrors';
import { useOwnerOptions } from '../../ui/useOptions';
import { promptFor } from './transitions';

export interface MoveAnswer {
  reason?: string;
  /** Owner and target date to save before the move (planning). */
  patch?: UpdateRequirement;
}

interface Props {
  requirement: Requirement;
  /** The status asked for; null closes the dialog. */
  to: RequirementStatus | null;
  submitting?: boolean;
  /** Runs the move; a thrown problem's field errors show at the fields. */
  onSubmit: (answer: MoveAnswer) => Promise<void>;
  onCancel: () => void;
}

interface Values {
  reason?: string;
  owner_id?: string | null;
  target_date?: Dayjs | null;
}

/** The status action's prompt: a reason (required to reject), and the owner and target date planning needs. */
export function StatusMoveModal({ requirement: r, to, submitting, onSubmit, onCancel }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const problem = useFormProblem(form, ['reason', 'owner_id', 'target_date']);
  const owners = useOwnerOptions();
  const prompt = to ? promptFor(r, to) : null;

  useEffect(() => {
    if (to) problem.reset();
    // only a dialog opened again starts over
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [to, form]);

  const submit = () =>
    problem.submit(async (v) => {
      const patch: UpdateRequirement = {};
      if (prompt?.owner && v.owner_id) patch.owner_id = v.owner_id;
      if (prompt?.targetDate && v.target_date) patch.target_date = v.target_date.format('YYYY-MM-DD');
      const reason = v.reason?.trim();
      await onSubmit({ ...(reason ? { reason } : {}), ...(Object.keys(patch).length > 0 ? { patch } : {}) });
    });

  return (
    <FormModal
      form={form}
      open={to !== null}
      title={to ? t('requirement.moveTitle', { number: r.number, status: t(`requirementStatus.${to}`) }) : ''}
      onOk={() => void submit()}
      onCancel={onCancel}
      okText={to ? t('requirement.moveTo', { status: t(`requirementStatus.${to}`) }) : ''}
      okButtonProps={{ danger: to === 'rejected' }}
      okTestId="status-move-save"
      confirmLoading={submitting}
      destroyOnHidden={false}
    >
      {to === 'planned' && (prompt?.owner || prompt?.targetDate) && (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('requirement.planNeeds')} data-testid="status-plan-needs" />
      )}
      {problem.alert}
      <Form form={form} layout="vertical" data-testid="status-move-form">
        {prompt?.owner && (
          <Form.Item name="owner_id" label={t('requirement.owner')} rules={[{ required: true, message: t('requirement.ownerRequired') }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} options={owners.options} loading={owners.loading} data-testid="status-owner" />
          </Form.Item>
        )}
        {prompt?.targetDate && (
          <Form.Item name="target_date" label={t('requirement.targetDate')} rules={[{ required: true, message: t('requirement.targetDateRequired') }]}>
            <DatePicker style={{ width: '100%' }} data-testid="status-target-date" />
          </Form.Item>
        )}
        <Form.Item
          name="reason"
          label={t('requirement.reason')}
          rules={[{ required: prompt?.reason === 'required', whitespace: true, message: t('requirement.reasonRequired') }, { max: 2000 }]}
        >
          <Input.TextArea rows={3} placeholder={prompt?.reason === 'required' ? t('requirement.rejectReasonPlaceholder') : t('requirement.reasonOptional')} data-testid="status-reason" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
