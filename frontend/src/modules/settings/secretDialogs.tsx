import { useState } from 'react';
import { Alert, Button, Form, InputNumber, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CopyField } from '../../ui/CopyField';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem, type FormProblem } from '../../ui/formErrors';

/**
 * The dialogs around a credential whose secret the server shows once: an API key, a webhook's
 * signing secret. `labels` is the i18n key prefix of their words (`apiKey`, `webhook`) and
 * `testIdPrefix` that of their test ids (`api-key`, `webhook`).
 */
interface SecretKind {
  labels: string;
  testIdPrefix: string;
}

/** How long the old secret keeps working after a rotation unless told otherwise (a day), and at most (a week). */
export const DEFAULT_OVERLAP_MINUTES = 1440;
const MAX_OVERLAP_MINUTES = 10080;

/**
 * A secret just issued (made or rotated), for {@link IssuedSecretModal}. Once its dialog has closed
 * the secret is dropped from the page, its content unmounted, and `forget` drops it elsewhere (the
 * mutations' results).
 */
export function useIssuedSecret<I>(forget: () => void) {
  const [issued, setIssued] = useState<I | null>(null);
  const [open, setOpen] = useState(false);
  return {
    issued,
    show: (made: I) => {
      setIssued(made);
      setOpen(true);
    },
    modal: {
      open,
      onClose: () => setOpen(false),
      afterClose: () => {
        setIssued(null);
        forget();
      },
    },
  };
}

/** The secret of a credential just made or rotated, shown this once, with a copy button; only its button closes it. */
export function IssuedSecretModal({ kind, title, secret, open, onClose, afterClose }: ReturnType<typeof useIssuedSecret>['modal'] & {
  kind: SecretKind;
  title: string;
  secret: string;
}) {
  const { t } = useTranslation();
  const { labels, testIdPrefix } = kind;
  return (
    <Modal
      open={open}
      afterClose={afterClose}
      destroyOnHidden
      title={title}
      closable={false}
      keyboard={false}
      mask={{ closable: false }}
      footer={
        <Button type="primary" onClick={onClose} data-testid={`${testIdPrefix}-issued-done`}>
          {t(`${labels}.issuedDone`)}
        </Button>
      }
    >
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t(`${labels}.issuedWarning`)} data-testid={`${testIdPrefix}-issued-warning`} />
      <CopyField value={secret} labels={labels} data-testid={`${testIdPrefix}-secret`} copyTestId={`${testIdPrefix}-copy`} />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t(`${labels}.issuedHint`)}
      </Typography.Paragraph>
    </Modal>
  );
}

interface Overlap {
  overlap_minutes: number;
}

/** The record whose secret {@link RotateSecretModal} is about to rotate, with the dialog's form. */
export function useRotateSecret<R>(kind: SecretKind) {
  const [form] = Form.useForm<Overlap>();
  const problem = useFormProblem(form, ['overlap_minutes'], { testId: `${kind.testIdPrefix}-rotate-error` });
  const [rotating, setRotating] = useState<R | null>(null);
  return {
    form,
    problem,
    rotating,
    open: (record: R) => {
      problem.reset({ overlap_minutes: DEFAULT_OVERLAP_MINUTES });
      setRotating(record);
    },
    close: () => setRotating(null),
  };
}

/** Asks how long the old secret keeps working, then rotates it with `rotate` and closes once that is done. */
export function RotateSecretModal<R>({ kind, dialog, title, pending, rotate }: {
  kind: SecretKind;
  dialog: ReturnType<typeof useRotateSecret<R>>;
  title: string;
  pending: boolean;
  rotate: (record: R, overlapMinutes: number) => Promise<void>;
}) {
  const { t } = useTranslation();
  const { labels, testIdPrefix } = kind;
  const problem: FormProblem<Overlap> = dialog.problem;
  const submit = () =>
    problem.submit(async (v) => {
      if (!dialog.rotating) return;
      await rotate(dialog.rotating, v.overlap_minutes);
      dialog.close();
    });
  return (
    <FormModal
      form={dialog.form}
      open={dialog.rotating !== null}
      title={title}
      onCancel={dialog.close}
      onOk={() => void submit()}
      confirmLoading={pending}
      okText={t(`${labels}.rotate`)}
      okTestId={`${testIdPrefix}-rotate-confirm`}
    >
      {problem.alert}
      <Typography.Paragraph>{t(`${labels}.rotateIntro`)}</Typography.Paragraph>
      <Form form={dialog.form} layout="vertical" initialValues={{ overlap_minutes: DEFAULT_OVERLAP_MINUTES }}>
        <Form.Item
          name="overlap_minutes"
          label={t(`${labels}.overlapMinutes`)}
          extra={t(`${labels}.overlapHint`)}
          rules={[
            { required: true, message: t('validation.required') },
            { type: 'integer', min: 0, max: MAX_OVERLAP_MINUTES, message: t('validation.range', { min: 0, max: MAX_OVERLAP_MINUTES }) },
          ]}
        >
          <InputNumber precision={0} min={0} max={MAX_OVERLAP_MINUTES} style={{ width: '100%' }} data-testid={`${testIdPrefix}-overlap`} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
