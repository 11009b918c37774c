import { useState } from 'react';
import { Alert, App, Button, Card, Form, InputNumber, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { RetentionCandidate } from '../../api/types';
import { can, isAdministrator } from '../../app/permissions';
import { formatDate } from '../../i18n/format';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { useProblemText } from '../../ui/problemText';
import { STALE, useVersionedEdit } from '../../ui/useVersionedEdit';
import { useMe } from '../auth/useSession';
import { EraseButton } from './EraseDialog';
import { usePrivacySettings, useRetentionCandidates, useSavePrivacySettings, type StoredPrivacySettings } from './usePrivacy';

/** The retention setting: contacts of customers churned for this many years are proposed for erasure. */
function RetentionSetting({ stored, refetch }: { stored: StoredPrivacySettings; refetch: () => Promise<StoredPrivacySettings | undefined> }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const { message } = App.useApp();
  const problemText = useProblemText();
  const save = useSavePrivacySettings();
  const edit = useVersionedEdit({ record: stored, latest: refetch });
  const [years, setYears] = useState<number | null>(stored.value.erase_contacts_of_churned_after_years ?? null);
  const [failure, setFailure] = useState<unknown>(null);
  const saved = (edit.base ?? stored).value.erase_contacts_of_churned_after_years ?? null;
  const admin = isAdministrator(me);

  const submit = async () => {
    setFailure(null);
    try {
      const result = await edit.save((base) => save.mutateAsync({ value: { erase_contacts_of_churned_after_years: years }, etag: base.etag }));
      if (result === STALE) return;
      edit.reset(result);
      void message.success(t('common.saved'));
    } catch (e) {
      setFailure(e);
    }
  };

  return (
    <Card size="small" title={t('privacy.retention.settingTitle')} data-testid="retention-setting">
      {edit.notice}
      {failure !== null && <Alert type="error" showIcon title={problemText(failure)} style={{ marginBottom: 12 }} />}
      <Form layout="inline" onFinish={() => void submit()}>
        <Form.Item label={t('privacy.retention.years')} extra={t('privacy.retention.yearsHint')}>
          <InputNumber min={1} max={50} precision={0} value={years} onChange={(v) => setYears(v ?? null)} disabled={!admin}
            placeholder={t('privacy.retention.off')} data-testid="retention-years" />
        </Form.Item>
        {admin && (
          <Button type="primary" htmlType="submit" loading={save.isPending} disabled={years === saved} data-testid="retention-save">
            {t('common.save')}
          </Button>
        )}
      </Form>
    </Card>
  );
}

/** Retention (保留期限): the setting, and the contacts it proposes for erasure, for a person to decide. */
export function Retention() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const settings = usePrivacySettings();
  const candidates = useRetentionCandidates();
  if (settings.isError) return <ErrorResult error={settings.error} onRetry={() => void settings.refetch()} />;
  if (candidates.isError) return <ErrorResult error={candidates.error} onRetry={() => void candidates.refetch()} />;
  const off = settings.data?.value.erase_contacts_of_churned_after_years == null;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="privacy-retention">
      {settings.data && <RetentionSetting stored={settings.data} refetch={async () => (await settings.refetch()).data} />}
      <Card size="small" title={t('privacy.retention.candidatesTitle')}>
        <Typography.Paragraph type="secondary">{off ? t('privacy.retention.offHint') : t('privacy.retention.candidatesHint')}</Typography.Paragraph>
        <CursorTable<RetentionCandidate>
          compact
          rowKey="contact_id"
          query={candidates}
          data-testid="retention-candidates"
          locale={{ emptyText: t('privacy.retention.none') }}
          columns={[
            { title: t('privacy.retention.contact'), dataIndex: 'contact_name' },
            {
              title: t('privacy.retention.customer'),
              dataIndex: 'customer_name',
              render: (name: string, c: RetentionCandidate) => <Link to={`/customers/${c.customer_id}`}>{name}</Link>,
            },
            { title: t('privacy.retention.churnedAt'), dataIndex: 'churned_at', render: (at: string | null) => (at ? formatDate(at, i18n.language) : '—') },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, c: RetentionCandidate) =>
                can(me, 'privacy', 'delete') && (
                  <EraseButton size="small" subject={{ type: 'contact', id: c.contact_id }} name={c.contact_name} />
                ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
