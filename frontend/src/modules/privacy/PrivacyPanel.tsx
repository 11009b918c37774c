import { useState } from 'react';
import { App, Button, Card, DatePicker, Form, Input, Select, Space, Tag, Typography } from 'antd';
import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { CONSENT_PURPOSES, type Consent, type ConsentPurpose } from '../../api/types';
import { can } from '../../app/permissions';
import { formatDateTime } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem } from '../../ui/formErrors';
import { FullTable } from '../../ui/FullTable';
import { useProblemText } from '../../ui/problemText';
import { enumOptions } from '../../ui/useOptions';
import { useMe } from '../auth/useSession';
import { EraseButton } from './EraseDialog';
import { useConsents, useExportSubject, useGiveConsent, useWithdrawConsent, type Subject } from './usePrivacy';

interface ConsentFormValues {
  purpose: ConsentPurpose;
  channel: string;
  given_at?: Dayjs | null;
  source?: string;
  evidence?: string;
}

const CONSENT_FIELDS = ['purpose', 'channel', 'given_at', 'source', 'evidence'] as const;

/** A subject's consents: given and withdrawn, newest first, with "record consent" and "withdraw". */
function Consents({ subject }: { subject: Subject }) {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const { message } = App.useApp();
  const problemText = useProblemText();
  const consents = useConsents(subject);
  const give = useGiveConsent(subject);
  const withdraw = useWithdrawConsent(subject);
  const [form] = Form.useForm<ConsentFormValues>();
  const problem = useFormProblem(form, CONSENT_FIELDS, { testId: 'consent-form-error' });
  const [open, setOpen] = useState(false);
  const canChange = can(me, subject.type === 'customer' ? 'customers' : 'contacts', 'update');

  const submit = () =>
    problem.submit(async (v) => {
      await give.mutateAsync({
        purpose: v.purpose,
        channel: v.channel,
        given_at: v.given_at ? v.given_at.toISOString() : null,
        source: v.source?.trim() || null,
        evidence: v.evidence?.trim() || null,
      });
      void message.success(t('privacy.consent.given'));
      setOpen(false);
    });

  if (consents.isError) return <ErrorResult error={consents.error} onRetry={() => void consents.refetch()} />;
  const when = (at: string | null | undefined) => (at ? formatDateTime(at, i18n.language) : '—');
  return (
    <Card size="small" title={t('privacy.consent.title')} data-testid="privacy-consents"
      extra={canChange && (
        <Button size="small" icon={<PlusOutlined />} onClick={() => { problem.reset(); setOpen(true); }} data-testid="consent-add">
          {t('privacy.consent.add')}
        </Button>
      )}
    >
      <FullTable<Consent>
        size="small"
        query={consents}
        data-testid="consents-table"
        locale={{ emptyText: t('privacy.consent.none') }}
        columns={[
          { title: t('privacy.consent.purpose'), dataIndex: 'purpose', render: (p: ConsentPurpose) => t(`privacy.purpose.${p}`) },
          {
            title: t('privacy.consent.status'),
            dataIndex: 'status',
            render: (s: Consent['status']) => <Tag color={s === 'given' ? 'green' : 'default'} data-testid="consent-status">{t(`privacy.consentStatus.${s}`)}</Tag>,
          },
          { title: t('privacy.consent.channel'), dataIndex: 'channel' },
          { title: t('privacy.consent.givenAt'), dataIndex: 'given_at', render: when },
          { title: t('privacy.consent.withdrawnAt'), dataIndex: 'withdrawn_at', render: when },
          { title: t('privacy.consent.source'), dataIndex: 'source', render: (s: string | null) => s ?? '—' },
          { title: t('privacy.consent.evidence'), dataIndex: 'evidence', render: (s: string | null) => s ?? '—' },
          { title: t('privacy.consent.recordedBy'), dataIndex: 'recorded_by_name', render: (s: string | null) => s ?? '—' },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, c: Consent) =>
              canChange && c.status === 'given' && (
                <Button size="small" type="link" danger loading={withdraw.isPending && withdraw.variables === c.id} data-testid="consent-withdraw"
                  onClick={() => withdraw.mutate(c.id, {
                    onSuccess: () => void message.success(t('privacy.consent.withdrawn')),
                    onError: (e) => void message.error(problemText(e)),
                  })}
                >
                  {t('privacy.consent.withdraw')}
                </Button>
              ),
          },
        ]}
      />
      <FormModal form={form} open={open} title={t('privacy.consent.add')} onCancel={() => setOpen(false)} onOk={() => void submit()}
        confirmLoading={give.isPending} okTestId="consent-save">
        {problem.alert}
        <Form form={form} layout="vertical" data-testid="consent-form">
          <Form.Item name="purpose" label={t('privacy.consent.purpose')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select options={enumOptions(t, CONSENT_PURPOSES, 'privacy.purpose')} data-testid="consent-purpose" />
          </Form.Item>
          <Form.Item name="channel" label={t('privacy.consent.channel')} extra={t('privacy.consent.channelHint')}
            rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
            <Input maxLength={100} data-testid="consent-channel" />
          </Form.Item>
          <Form.Item name="given_at" label={t('privacy.consent.givenAt')} extra={t('privacy.consent.givenAtHint')}>
            <DatePicker showTime style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="source" label={t('privacy.consent.source')}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="evidence" label={t('privacy.consent.evidence')}>
            <Input.TextArea rows={2} maxLength={4000} data-testid="consent-evidence" />
          </Form.Item>
        </Form>
      </FormModal>
    </Card>
  );
}

/**
 * The privacy of one customer or contact (隐私): their consents, and for roles with the `privacy`
 * permission the export of everything stored about them and their erasure.
 */
export function PrivacyPanel({ subject, name, onErased }: { subject: Subject; name: string; onErased?: () => void }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const { message } = App.useApp();
  const problemText = useProblemText();
  const exporting = useExportSubject();
  const canExport = can(me, 'privacy', 'export');
  const canErase = can(me, 'privacy', 'delete');
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="privacy-panel">
      <Consents subject={subject} />
      {(canExport || canErase) && (
        <Card size="small" title={t('privacy.rights.title')}>
          <Typography.Paragraph type="secondary">{t('privacy.rights.intro')}</Typography.Paragraph>
          <Space wrap>
            {canExport && (
              <Button icon={<DownloadOutlined />} loading={exporting.isPending} data-testid="privacy-export"
                onClick={() => exporting.mutate(subject, {
                  onSuccess: (file) => void message.success(t('privacy.export.done', { file })),
                  onError: (e) => void message.error(problemText(e)),
                })}
              >
                {t('privacy.export.action')}
              </Button>
            )}
            {canErase && <EraseButton subject={subject} name={name} onErased={onErased} />}
          </Space>
        </Card>
      )}
    </Space>
  );
}
