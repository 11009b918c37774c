import { useState } from 'react';
import { App, Button, Form, Input, Popconfirm, Select, Space, Table } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { fillForm, FormModal } from '../../ui/FormModal';
import { can } from '../../app/permissions';
import type { Team } from '../../api/types';
import { scrollToFirstError, useFormProblem } from '../../ui/formErrors';
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
    problem.clear();
    form.resetFields();
    if (team !== 'new') fillForm(form, { name: team.name, parent_id: team.parent_id });
    setIsNew(team === 'new');
    setEditing(team);
  };

  const submit = async () => {
    let v: { name: string; parent_id?: string | null };
    try {
      v = await form.validateFields();
    } catch (invalid) {
      scrollToFirstError(form, invalid);
      return;
    }
    try {
      await save.mutateAsync({ team: editing === 'new' || !editing ? undefined : editing, body: { name: v.name.trim(), parent_id: v.parent_id ?? null } });
      void message.success(t('common.saved'));
      setEditing(null);
    } catch (e) {
      problem.show(e);
    }
  };

  if (teams.isError) return <ErrorResult error={teams.error} onRetry={() => void teams.refetch()} />;
  return (
    <div>
      {can(me, 'teams', 'create') && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} style={{ marginBottom: 12 }} data-testid="team-new">
          {t('settings.newTeam')}
        </Button>
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
                {can(me, 'teams', 'update') && (
                  <Button size="small" type="link" onClick={() => open(x)}>
                    {t('common.edit')}
                  </Button>
                )}
                {can(me, 'teams', 'delete') && (
                  <Popconfirm
                    title={t('settings.deleteTeamConfirm')}
                    okText={t('common.delete')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => remove.mutate(x, { onError: writeFailed })}
                  >
                    <Button size="small" type="link" danger>
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
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
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        confirmLoading={save.isPending}
        okButtonProps={{ 'data-testid': 'team-save' } as { danger?: boolean }}
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
