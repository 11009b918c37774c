import { useEffect } from 'react';
import { Alert, Form, Input, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormModal } from '../../ui/FormModal';

/** Reasons offered as one-click starts; the text stays free. */
export const COMMON_LOSS_REASONS = ['price', 'competitor', 'budget', 'timing', 'noDecision'] as const;

interface Props {
  open: boolean;
  /** The opportunity's name and the lost stage's name, for the title. */
  opportunityName: string;
  stageName: string;
  /** The opportunity is won or lost already: the move also reopens it. */
  reopen?: boolean;
  submitting?: boolean;
  onSubmit: (reason: string) => void;
  onCancel: () => void;
}

/** Asks why a deal was lost before it moves to a lost stage (the API needs `loss_reason`). */
export function LossReasonModal({ open, opportunityName, stageName, reopen, submitting, onSubmit, onCancel }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ loss_reason: string }>();

  useEffect(() => {
    if (open) form.resetFields();
  }, [open, form]);

  const submit = async () => {
    try {
      const v = await form.validateFields();
      onSubmit(v.loss_reason.trim());
    } catch {
      // the field shows what is missing
    }
  };

  return (
    <FormModal
      form={form}
      open={open}
      title={t('opportunity.lossTitle', { name: opportunityName, stage: stageName })}
      onOk={() => void submit()}
      onCancel={onCancel}
      okText={t('opportunity.markLost')}
      okButtonProps={{ danger: true }}
      okTestId="loss-reason-save"
      confirmLoading={submitting}
      destroyOnHidden={false}
    >
      {reopen && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('opportunity.reopenNote')} />}
      <Form form={form} layout="vertical" data-testid="loss-reason-form" onFinish={() => void submit()}>
        <Form.Item
          name="loss_reason"
          label={t('opportunity.lossReason')}
          rules={[{ required: true, whitespace: true, message: t('opportunity.lossReasonRequired') }, { max: 1000 }]}
        >
          <Input.TextArea rows={3} autoFocus placeholder={t('opportunity.lossReasonPlaceholder')} data-testid="loss-reason" />
        </Form.Item>
        <Space size={[4, 4]} wrap>
          <Typography.Text type="secondary">{t('opportunity.commonReasons')}:</Typography.Text>
          {COMMON_LOSS_REASONS.map((r) => (
            <Tag.CheckableTag
              key={r}
              checked={false}
              onChange={() => form.setFieldsValue({ loss_reason: t(`lossReason.${r}`) })}
              data-testid={`loss-reason-${r}`}
            >
              {t(`lossReason.${r}`)}
            </Tag.CheckableTag>
          ))}
        </Space>
      </Form>
    </FormModal>
  );
}
