import { useEffect } from 'react';
import { Form, Input, Rate } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Requester } from '../../api/types';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem } from '../../ui/formErrors';

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
    if (requester) problem.reset();
    // only a dialog opened again starts over
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [requester, form]);
  const submit = () =>
    problem.submit(async (v) => {
      const comment = v.comment?.trim();
      await onSubmit({ rating: v.rating, ...(comment ? { comment } : {}) });
    });
  return (
    <FormModal
      form={form}
      open={requester !== null}
      title={t('requirement.feedbackTitle', { customer: requester?.customer_name ?? '' })}
      onOk={() => void submit()}
      onCancel={onCancel}
      okTestId="feedback-save"
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
