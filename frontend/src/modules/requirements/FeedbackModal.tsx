import { useEffect } from 'react';
import { Form, Input, Rate } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Requester } from '../../api/types';
import { FormModal } from '../../ui/FormModal';
import { scrollToFirstError, useFormProblem } from '../../ui/formErrors';

interface Props {
  requester: Requester | null;
  submitting?: boolean;
  onSubmit: (v: { rating: number; comment?: string }) => Promise<void>;
  onCancel: () => void;
}

/** Records one requester's rating (1–5) and comment on a delivered requirement. */
export function FeedbackModal({ requester, submitting, onSubmit, onCancel }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ rating: number; comment?: string }>();
  const problem = useFormProblem(form, ['rating', 'comment']);
  useEffect(() => {
    if (requester) {
      form.resetFields();
      problem.clear();
    }
    // only a dialog opened again starts over
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [requester, form]);
  const submit = async () => {
    let v: { rating: number; comment?: string };
    try {
      v = await form.validateFields();
    } catch (invalid) {
      scrollToFirstError(form, invalid);
      return;
    }
    const comment = v.comment?.trim();
    try {
      await onSubmit({ rating: v.rating, ...(comment ? { comment } : {}) });
    } catch (e) {
      problem.show(e);
    }
  };
  return (
    <FormModal
      form={form}
      open={requester !== null}
      title={t('requirement.feedbackTitle', { customer: requester?.customer_name ?? '' })}
      onOk={() => void submit()}
      onCancel={onCancel}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ 'data-testid': 'feedback-save' } as { danger?: boolean }}
      confirmLoading={submitting}
      destroyOnHidden={false}
    >
      {problem.alert}
      <Form form={form} layout="vertical" data-testid="feedback-form">
        <Form.Item name="rating" label={t('requirement.rating')} rules={[{ required: true, message: t('requirement.ratingRequired') }]}>
          <Rate data-testid="feedback-rating" />
        </Form.Item>
        <Form.Item name="comment" label={t('requirement.comment')} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={3} data-testid="feedback-comment" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
