import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Select, Space, Spin, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { isProblemError } from '../../api/problem';
import { ErrorResult } from '../../ui/ErrorResult';
import { useServiceSettings, useSaveServiceSettings } from './useServiceSettings';
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
  const { t } = useTranslation();
  const { message } = App.useApp();
  const settings = useServiceSettings();
  const save = useSaveServiceSettings();
  const teams = useTeams();
  const [teamId, setTeamId] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stored = settings.data?.value.default_team_id ?? null;

  useEffect(() => setTeamId(stored), [stored]);

  if (settings.isPending) return <Spin />;
  if (settings.isError) return <ErrorResult error={settings.error} onRetry={() => void settings.refetch()} />;

  const submit = () => {
    setError(null);
    save.mutate(
      { value: { default_team_id: teamId }, etag: settings.data.etag },
      {
        onSuccess: () => {
          setStale(false);
          void message.success(t('common.saved'));
        },
        onError: (e) => {
          if (isProblemError(e) && e.status === 412) {
            setStale(true);
            return;
          }
          setError(isProblemError(e) ? [e.problem.detail ?? e.problem.title, ...e.fieldErrors.map((f) => f.message)].join(' · ') : e.message);
        },
      },
    );
  };

  const reload = async () => {
    const mine = teamId;
    await settings.refetch();
    // the user's choice stays on the form; saving again sends it with the new ETag
    setTeamId(mine);
    setStale(false);
    void message.info(t('stale.reapplied'));
  };

  return (
    <Card size="small" style={{ maxWidth: 720 }} data-testid="service-settings">
      {stale && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('stale.title')}
          description={t('stale.description')}
          action={<Button size="small" onClick={() => void reload()} data-testid="stale-reload">{t('stale.reload')}</Button>}
          data-testid="stale-notice"
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form layout="vertical" onFinish={submit}>
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
        <Button type="primary" htmlType="submit" loading={save.isPending} disabled={teamId === stored} data-testid="service-settings-save">
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}
