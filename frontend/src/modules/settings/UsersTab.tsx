import { useState } from 'react';
import { App, Button, Form, Input, Popconfirm, Select, Space, Switch, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { FormModal } from '../../ui/FormModal';
import { EditLink } from '../../ui/RowActions';
import { can, isAdministrator } from '../../app/permissions';
import type { User } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { useFormProblem } from '../../ui/formErrors';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { useRoles } from './useRoles';
import { useTeams } from './useTeams';
import { useCreateUser, useResetTwoFactor, useUpdateUser, useUsers } from './useUsers';
import { FullTable } from '../../ui/FullTable';
import { UserSessionsDrawer } from './UserSessionsDrawer';

interface UserFormValues {
  email: string;
  display_name: string;
  password?: string;
  role_id: string;
  team_ids: string[];
  locale: string;
  active?: boolean;
}
const USER_FIELDS = ['email', 'display_name', 'password', 'role_id', 'team_ids', 'locale', 'active'] as const;

export function UsersTab() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const [q, setQ] = useState<string>();
  const users = useUsers(q ? { q } : {});
  const roles = useRoles();
  const teams = useTeams();
  const create = useCreateUser();
  const update = useUpdateUser();
  const resetTwoFactor = useResetTwoFactor();
  const { message } = App.useApp();
  const writeFailed = useWriteFailed();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [watching, setWatching] = useState<User | null>(null);
  const [form] = Form.useForm<UserFormValues>();
  const problem = useFormProblem(form, USER_FIELDS, { testId: 'form-error' });
  // kept while the dialog closes, so its title does not flip during the animation
  const [isNew, setIsNew] = useState(true);

  const roleName = (id: string) => roles.data?.find((r) => r.id === id)?.name ?? id;
  const teamName = (id: string) => teams.data?.find((x) => x.id === id)?.name ?? id;

  const open = (u: User | 'new') => {
    problem.reset(
      u === 'new'
        ? { team_ids: [], locale: 'zh-CN' }
        : { email: u.email, display_name: u.display_name, role_id: u.role_id, team_ids: u.team_ids, locale: u.locale, active: u.active },
    );
    setIsNew(u === 'new');
    setEditing(u);
  };

  const submit = () =>
    problem.submit(async (v) => {
      if (editing === 'new') {
        await create.mutateAsync({ email: v.email.trim(), display_name: v.display_name.trim(), password: v.password ?? '', role_id: v.role_id, team_ids: v.team_ids, locale: v.locale });
      } else if (editing) {
        await update.mutateAsync({
          user: editing,
          patch: { display_name: v.display_name.trim(), role_id: v.role_id, team_ids: v.team_ids, locale: v.locale, active: v.active, ...(v.password ? { password: v.password } : {}) },
        });
      }
      void message.success(t('common.saved'));
      setEditing(null);
    });

  const toggleActive = (u: User, active: boolean) =>
    update.mutate(
      { user: u, patch: { active } },
      {
        onSuccess: () => void message.success(active ? t('settings.userActivated') : t('settings.userDeactivated')),
        onError: writeFailed,
      },
    );

  if (users.isError) return <ErrorResult error={users.error} onRetry={() => void users.refetch()} />;
  const canEdit = can(me, 'users', 'update');
  const isAdmin = isAdministrator(me);

  return (
    <div>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder={t('settings.searchUsers')} onSearch={(v) => setQ(v.trim() || undefined)} />
        {can(me, 'users', 'create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="user-new">
            {t('settings.newUser')}
          </Button>
        )}
      </Space>
      <FullTable<User>
        size="middle"
        query={users}
        data-testid="users-table"
        columns={[
          { title: t('settings.displayName'), dataIndex: 'display_name' },
          { title: t('auth.email'), dataIndex: 'email' },
          { title: t('user.role'), dataIndex: 'role_id', render: (_: unknown, u: User) => roleName(u.role_id) },
          { title: t('settings.teams'), dataIndex: 'team_ids', render: (_: unknown, u: User) => u.team_ids.map((id) => <Tag key={id}>{teamName(id)}</Tag>) },
          {
            title: t('settings.active'),
            dataIndex: 'active',
            render: (_: unknown, u: User) => (
              <Switch checked={u.active} disabled={!canEdit || u.id === me?.id} onChange={(v) => toggleActive(u, v)} size="small" data-testid="user-active" />
            ),
          },
          {
            title: t('twoFactor.column'),
            dataIndex: 'two_factor_enabled',
            render: (_: unknown, u: User) => (
              <Tag color={u.two_factor_enabled ? 'green' : 'default'} data-testid="user-two-factor">{u.two_factor_enabled ? t('twoFactor.on') : t('twoFactor.off')}</Tag>
            ),
          },
          { title: t('customer.createdAt'), dataIndex: 'created_at', render: (_: unknown, u: User) => formatDateTime(u.created_at, i18n.language) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, u: User) => (
              <Space size={0}>
                {canEdit && <EditLink onClick={() => open(u)} data-testid="user-edit" />}
                {isAdmin && (
                  <Button size="small" type="link" onClick={() => setWatching(u)} data-testid="user-sessions">
                    {t('session.menu')}
                  </Button>
                )}
                {isAdmin && u.two_factor_enabled && (
                  <Popconfirm
                    title={t('twoFactor.resetConfirm', { name: u.display_name })}
                    okText={t('twoFactor.reset')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => resetTwoFactor.mutate(u, { onSuccess: () => void message.success(t('twoFactor.resetDone')), onError: writeFailed })}
                  >
                    <Button size="small" type="link" danger data-testid="user-reset-two-factor">{t('twoFactor.reset')}</Button>
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
        title={isNew ? t('settings.newUser') : t('settings.editUser')}
        onCancel={() => setEditing(null)}
        onOk={() => void submit()}
        confirmLoading={create.isPending || update.isPending}
        okTestId="user-save"
      >
        {problem.alert}
        <Form form={form} layout="vertical">
          <Form.Item name="email" label={t('auth.email')} rules={[{ required: true, type: 'email', message: t('validation.email') }]}>
            <Input disabled={editing !== 'new'} data-testid="user-email" />
          </Form.Item>
          <Form.Item name="display_name" label={t('settings.displayName')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
            <Input data-testid="user-name" />
          </Form.Item>
          <Form.Item
            name="password"
            label={editing === 'new' ? t('auth.password') : t('settings.newPassword')}
            rules={editing === 'new' ? [{ required: true, min: 10, message: t('validation.passwordLength') }] : [{ min: 10, message: t('validation.passwordLength') }]}
          >
            <Input.Password autoComplete="new-password" data-testid="user-password" />
          </Form.Item>
          <Form.Item name="role_id" label={t('user.role')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select options={(roles.data ?? []).map((r) => ({ value: r.id, label: r.name }))} loading={roles.isPending} data-testid="user-role" />
          </Form.Item>
          <Form.Item name="team_ids" label={t('settings.teams')}>
            <Select mode="multiple" options={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))} loading={teams.isPending} data-testid="user-teams" />
          </Form.Item>
          <Form.Item name="locale" label={t('app.language')}>
            <Select options={[{ value: 'zh-CN', label: '中文' }, { value: 'en', label: 'English' }]} />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item name="active" label={t('settings.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </FormModal>
      <UserSessionsDrawer user={watching} onClose={() => setWatching(null)} />
    </div>
  );
}
