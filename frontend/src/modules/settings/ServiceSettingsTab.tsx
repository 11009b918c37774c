import { useState } from 'react';
import { Alert, App, Button, Card, Form, Select, Space, Spin, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { STALE, useVersionedEdit } from '../../ui/useVersionedEdit';
import { useProblemText } from '../../ui/problemText';
import { ErrorResult } from '../../ui/ErrorResult';
import { useServiceSettings, useSaveServiceSettings, type StoredServiceSettings } from './useServiceSettings';
import { useTeams } from './useTeams';
import { useUsers } from './useUsers';

/** The support agents of a team: who takes portal tickets in turn. */
function TeamAgents({ teamId }: { teamId: string }) {
  const { t } = useTranslation();
  const users = useUsers({ team_id: teamId, active: 'true' });
  if (users.isPending) return <Spin size="small" />;
  const agents = (users.data ?? []).filter((u) => u.role_key === 'support');
  if (agents.length === 0) {
    return <Alert type="warning" showIcon title={t('serviceSettings.noAgents')} data-testid="service-no-agents" />;
  }
  return (
    <Space wrap data-testid="service-agents">
      <Typography.Text type="secondary">{t('serviceSettings.agents')}</Typography.Text>
      {agents.map((u) => <Tag key={u.id}>{u.display_name}</Tag>)}
    </Space>
  );
}

/** Settings → Service (administrators): the team whose support agents take portal tickets in turn. */
export function ServiceSettingsTab() {
  const settings = useServiceSettings();
  if (settings.isPending) return <Spin />;
  if (settings.isError) return <ErrorResult error={settings.error} onRetry={() => void settings.refetch()} />;
  return <SettingsForm stored={settings.data} refetch={async () => (await settings.refetch()).data} />;
}

function SettingsForm({ stored, refetch }: { stored: StoredServiceSettings; refetch: () => Promise<StoredServiceSettings | undefined> }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemText = useProblemText();
  const save = useSaveServiceSettings();
  const teams = useTeams();
  // the ETag the settings were read with; a save sends it as If-Match. A reload keeps the user's choice.
  const edit = useVersionedEdit({ record: stored, latest: refetch });
  const [teamId, setTeamId] = useState<string | null>(stored.value.default_team_id ?? null);
  const [failure, setFailure] = useState<{ error: unknown } | null>(null);
  const saved = (edit.base ?? stored).value.default_team_id ?? null;

  const submit = async () => {
    setFailure(null);
    try {
      const result = await edit.save((base) => save.mutateAsync({ value: { default_team_id: teamId }, etag: base.etag }));
      if (result === STALE) return;
      edit.reset(result);
      void message.success(t('common.saved'));
    } catch (e) {
      setFailure({ error: e });
    }
  };

  return (
    <Card size="small" style={{ maxWidth: 720 }} data-testid="service-settings">
      {edit.notice}
      {failure && <Alert type="error" showIcon title={problemText(failure.error)} style={{ marginBottom: 16 }} />}
      <Form layout="vertical" onFinish={() => void submit()}>
        <Form.Item label={t('serviceSettings.defaultTeam')} extra={t('serviceSettings.defaultTeamHint')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('serviceSettings.noTeam')}
            value={teamId ?? undefined}
            onChange={(v?: string) => setTeamId(v ?? null)}
            options={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            loading={teams.isPending}
            style={{ maxWidth: 360 }}
            data-testid="service-default-team"
          />
        </Form.Item>
        <div style={{ marginBottom: 16 }}>
          {teamId ? <TeamAgents teamId={teamId} /> : <Typography.Text type="secondary">{t('serviceSettings.unassignedHint')}</Typography.Text>}
        </div>
        <Button type="primary" htmlType="submit" loading={save.isPending} disabled={teamId === saved} data-testid="service-settings-save">
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}
