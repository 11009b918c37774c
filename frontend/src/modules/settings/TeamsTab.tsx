import { useState } from 'react';
import { App, Form, Input, Select, Space, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { FormModal } from '../../ui/FormModal';
import { NewButton } from '../../ui/NewButton';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { can } from '../../app/permissions';
import type { Team } from '../../api/types';
import { useFormProblem } from '../../ui/formErrors';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { useDeleteTeam, useSaveTeam, useTeams } from './useTeams';

export function TeamsTab() {
  const { t } = useTranslation();
  const me = useMe().data;
  const teams = useTeams();
  const save = useSaveTeam();
  const remove = useDeleteTeam();
  const { message } = App.useApp();
  const writeFailed = useWriteFailed();
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const [form] = Form.useForm<{ name: string; parent_id?: string | null }>();
  const problem = useFormProblem(form, ['name', 'parent_id'], { testId: 'form-error' });
  // kept while the dialog closes, so its title does not flip during the animation
  const [isNew, setIsNew] = useState(true);
  const nameOf = (id: string | null) => (id ? (teams.data?.find((x) => x.id === id)?.name ?? id) : '');

  const open = (team: Team | 'new') => {
    problem.reset(team === 'new' ? undefined : { name: team.name, parent_id: team.parent_id });
    setIsNew(team === 'new');
    setEditing(team);
  };

  const submit = () =>
    problem.submit(async (v) => {
      await save.mutateAsync({ team: editing === 'new' || !editing ? undefined : editing, body: { name: v.name.trim(), parent_id: v.parent_id ?? null } });
      void message.success(t('common.saved'));
      setEditing(null);
    });

  if (teams.isError) return <ErrorResult error={teams.error} onRetry={() => void teams.refetch()} />;
  return (
    <div>
      {can(me, 'teams', 'create') && (
        <NewButton onClick={() => open('new')} data-testid="team-new">{t('settings.newTeam')}</NewButton>
      )}
      <Table<Team>
        rowKey="id"
        size="middle"
        loading={teams.isPending}
        dataSource={teams.data ?? []}
        pagination={false}
        data-testid="teams-table"
        columns={[
          { title: t('settings.teamName'), dataIndex: 'name' },
          { title: t('settings.parentTeam'), dataIndex: 'parent_id', render: (_: unknown, x: Team) => nameOf(x.parent_id ?? null) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, x: Team) => (
              <Space>
                {can(me, 'teams', 'update') && <EditLink onClick={() => open(x)} />}
                {can(me, 'teams', 'delete') && (
                  <DeleteLink confirm={t('settings.deleteTeamConfirm')} onConfirm={() => remove.mutate(x, { onError: writeFailed })} />
                )}
              </Space>
            ),
          },
        ]}
      />
      <FormModal
        form={form}
        open={editing !== null}
        title={isNew ? t('settings.newTeam') : t('settings.editTeam')}
        onCancel={() => setEditing(null)}
        onOk={() => void submit()}
        confirmLoading={save.isPending}
        okTestId="team-save"
      >
        {problem.alert}
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('settings.teamName')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
            <Input data-testid="team-name" />
          </Form.Item>
          <Form.Item name="parent_id" label={t('settings.parentTeam')}>
            <Select
              allowClear
              options={(teams.data ?? []).filter((x) => editing === 'new' || x.id !== editing?.id).map((x) => ({ value: x.id, label: x.name }))}
            />
          </Form.Item>
        </Form>
      </FormModal>
    </div>
  );
}
