import { useState } from 'react';
import { Alert, App, Button, Modal, Spin, Typography, type ButtonProps } from 'antd';
import { DeleteOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ERASURE_KINDS, type ErasureReport } from '../../api/types';
import { formatNumber } from '../../i18n/format';
import { useProblemText } from '../../ui/problemText';
import { useEraseSubject, type Subject } from './usePrivacy';

/** A kind of record of the report, in words; one the client does not know is shown as written. */
function kindLabel(t: (k: string) => string, kind: string): string {
  return (ERASURE_KINDS as readonly string[]).includes(kind) ? t(`privacy.erase.kind.${kind}`) : kind;
}

/** What an erasure changes, kind by kind, with the fields of the person's own records. */
export function ErasureChanges({ report }: { report: ErasureReport }) {
  const { t, i18n } = useTranslation();
  if (report.changes.length === 0) return <Alert type="info" showIcon title={t('privacy.erase.nothing')} data-testid="erase-nothing" />;
  return (
    <div className="erase-changes" data-testid="erase-changes">
      {report.changes.map((c) => (
        <div key={c.kind} className="erase-change" data-testid={`erase-change-${c.kind}`}>
          <Typography.Text strong>{kindLabel(t, c.kind)}</Typography.Text>
          <span>
            {t('privacy.erase.records', { n: formatNumber(c.records, i18n.language) })}
            {c.fields.length > 0 && <Typography.Text type="secondary">{` · ${c.fields.join(', ')}`}</Typography.Text>}
          </span>
        </div>
      ))}
    </div>
  );
}

/**
 * "Erase" for one person: a dry run first, whose report lists what will change; only after reading it
 * does the person confirm, and the erasure cannot be undone.
 */
export function EraseButton({ subject, name, onErased, size }: { subject: Subject; name: string; onErased?: () => void; size?: 'small' }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemText = useProblemText();
  const erase = useEraseSubject();
  const [plan, setPlan] = useState<ErasureReport | null>(null);
  const [open, setOpen] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);

  const start = () => {
    setOpen(true);
    setPlan(null);
    setFailure(null);
    erase.mutate({ subject, dryRun: true }, { onSuccess: setPlan, onError: setFailure });
  };
  const confirm = () =>
    erase.mutate(
      { subject, dryRun: false },
      {
        onSuccess: (report) => {
          setOpen(false);
          void message.success(t('privacy.erase.done', { pseudonym: report.pseudonym }));
          onErased?.();
        },
        onError: setFailure,
      },
    );

  return (
    <>
      <Button danger size={size} type={size ? 'link' : 'default'} icon={size ? undefined : <DeleteOutlined />} onClick={start} data-testid="privacy-erase">
        {t('privacy.erase.action')}
      </Button>
      <Modal
        open={open}
        title={t('privacy.erase.title', { name })}
        onCancel={() => setOpen(false)}
        okText={t('privacy.erase.confirm')}
        cancelText={t('common.cancel')}
        okButtonProps={{ danger: true, disabled: !plan || plan.changes.length === 0, 'data-testid': 'privacy-erase-confirm' } as ButtonProps}
        confirmLoading={erase.isPending && plan !== null}
        onOk={confirm}
        destroyOnHidden
      >
        <Alert type="warning" showIcon title={t('privacy.erase.warning')} style={{ marginBottom: 12 }} />
        {failure !== null && <Alert type="error" showIcon title={problemText(failure)} style={{ marginBottom: 12 }} data-testid="erase-error" />}
        {plan ? (
          <>
            <Typography.Paragraph>{t('privacy.erase.planIntro', { pseudonym: plan.pseudonym })}</Typography.Paragraph>
            <ErasureChanges report={plan} />
          </>
        ) : (
          failure === null && <Spin />
        )}
      </Modal>
    </>
  );
}
