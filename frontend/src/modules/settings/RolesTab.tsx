import { useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Form, Input, Popconfirm, Row, Select, Space, Switch, Tag, Typography } from 'antd';
import { ItemList } from '../../ui/ItemList';
import { LockOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { FormModal } from '../../ui/FormModal';
import { useProblemText } from '../../ui/problemText';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { can } from '../../app/permissions';
import type { Role } from '../../api/types';
import { useFormProblem } from '../../ui/formErrors';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { completeMatrix, PermissionMatrix, type Matrix } from './PermissionMatrix';
import { useDeleteRole, useRoles, useSaveRole, useSetRoleTwoFactor } from './useRoles';

export function RolesTab() {
  const { t } = useTranslation();
  const me = useMe().data;
  const roles = useRoles();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  if (roles.isError) return <ErrorResult error={roles.error} onRetry={() => void roles.refetch()} />;
  const list = roles.data ?? [];
  const selected = list.find((r) => r.id === selectedId) ?? list[0];

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={7}>
        <Card
          size="small"
          title={t('settings.roles')}
          extra={
            can(me, 'roles', 'create') && (
              <Button size="small" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="role-new">
                {t('settings.newRole')}
              </Button>
            )
          }
        >
          <ItemList
            loading={roles.isPending}
            dataSource={list}
            renderItem={(r) => (
              <ItemList.Item
                data-testid={`role-item-${r.key}`}
                onClick={() => setSelectedId(r.id)}
                style={{ cursor: 'pointer', background: r.id === selected?.id ? '#e6f4ff' : undefined, paddingInline: 8 }}
              >
                <Space>
                  {r.builtin && <LockOutlined />}
                  {r.name}
                  <Tag>{r.key}</Tag>
                </Space>
              </ItemList.Item>
            )}
          />
        </Card>
      </Col>
      <Col xs={24} md={17}>
        {selected ? <RoleEditor key={`${selected.id}-${selected.version}`} role={selected} onDeleted={() => setSelectedId(null)} /> : <Empty />}
      </Col>
      <NewRoleModal open={creating} roles={list} onClose={(id) => { setCreating(false); if (id) setSelectedId(id); }} />
    </Row>
  );
}

function RoleEditor({ role, onDeleted }: { role: Role; onDeleted: () => void }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const save = useSaveRole();
  const remove = useDeleteRole();
  const { message } = App.useApp();
  const writeFailed = useWriteFailed();
  const [matrix, setMatrix] = useState<Matrix>(() => completeMatrix(role.permissions as Partial<Matrix>));
  const [name, setName] = useState(role.name);
  const [description, setDescription] = useState(role.description ?? '');
  const problemText = useProblemText();
  // the failed save itself, so its sentence follows a language switch
  const [failure, setFailure] = useState<{ error: unknown } | null>(null);
  const editable = !role.builtin && can(me, 'roles', 'update');
  const twoFactor = useSetRoleTwoFactor();

  const onSave = () => {
    setFailure(null);
    save.mutate(
      { role, body: { key: role.key, name: name.trim(), description: description.trim(), permissions: matrix } },
      {
        onSuccess: () => void message.success(t('common.saved')),
        onError: (e) => setFailure({ error: e }),
      },
    );
  };

  return (
    <Card
      size="small"
      title={
        <Space>
          {role.name}
          {role.builtin && <Tag icon={<LockOutlined />}>{t('settings.builtin')}</Tag>}
        </Space>
      }
      extra={
        !role.builtin &&
        can(me, 'roles', 'delete') && (
          <Popconfirm
            title={t('settings.deleteRoleConfirm')}
            okText={t('common.delete')}
            cancelText={t('common.cancel')}
            onConfirm={() => remove.mutate(role, { onSuccess: onDeleted, onError: writeFailed })}
          >
            <Button size="small" danger>
              {t('common.delete')}
            </Button>
          </Popconfirm>
        )
      }
    >
      {role.builtin && <Alert type="info" showIcon title={t('settings.builtinReadOnly')} style={{ marginBottom: 12 }} />}
      {failure && <Alert type="error" showIcon title={problemText(failure.error)} style={{ marginBottom: 12 }} />}
      <Space style={{ marginBottom: 12 }}>
        <Switch
          checked={role.requires_two_factor}
          disabled={!can(me, 'roles', 'update')}
          loading={twoFactor.isPending}
          onChange={(required) =>
            twoFactor.mutate({ role, required }, { onSuccess: () => void message.success(t('common.saved')), onError: (e) => setFailure({ error: e }) })
          }
          data-testid="role-requires-two-factor"
        />
        <Typography.Text>{t('twoFactor.roleRequires')}</Typography.Text>
        <Typography.Text type="secondary">{t('twoFactor.roleRequiresHint')}</Typography.Text>
      </Space>
      {editable ? (
        <Space orientation="vertical" style={{ width: '100%', marginBottom: 12 }}>
          <Space.Compact block>
            <Space.Addon>{t('settings.roleName')}</Space.Addon>
            <Input value={name} onChange={(e) => setName(e.target.value)} aria-label={t('settings.roleName')} />
          </Space.Compact>
          <Space.Compact block>
            <Space.Addon>{t('settings.description')}</Space.Addon>
            <Input value={description} onChange={(e) => setDescription(e.target.value)} aria-label={t('settings.description')} />
          </Space.Compact>
        </Space>
      ) : (
        <Descriptions size="small" column={1} style={{ marginBottom: 12 }}>
          <Descriptions.Item label={t('settings.roleKey')}>{role.key}</Descriptions.Item>
          <Descriptions.Item label={t('settings.description')}>{role.description || '—'}</Descriptions.Item>
        </Descriptions>
      )}
      <PermissionMatrix value={matrix} onChange={setMatrix} readOnly={!editable} />
      {editable && (
        <Button type="primary" onClick={onSave} loading={save.isPending} style={{ marginTop: 12 }} data-testid="role-save">
          {t('common.save')}
        </Button>
      )}
    </Card>
  );
}

function NewRoleModal({ open, roles, onClose }: { open: boolean; roles: Role[]; onClose: (createdId?: string) => void }) {
  const { t } = useTranslation();
  const save = useSaveRole();
  const [form] = Form.useForm<{ key: string; name: string; description?: string; copy_from?: string }>();
  const problem = useFormProblem(form, ['key', 'name', 'description', 'permissions'], { testId: 'form-error' });

  const submit = () =>
    problem.submit(async (v) => {
      const source = roles.find((r) => r.id === v.copy_from);
      const created = await save.mutateAsync({
        body: { key: v.key.trim(), name: v.name.trim(), description: v.description?.trim() ?? '', permissions: completeMatrix((source?.permissions ?? {}) as Partial<Matrix>) },
      });
      form.resetFields();
      onClose(created.id);
    });

  return (
    <FormModal
      form={form}
      open={open}
      title={t('settings.newRole')}
      onCancel={() => onClose()}
      onOk={() => void submit()}
      confirmLoading={save.isPending}
      okTestId="role-create"
    >
      {problem.alert}
      <Form form={form} layout="vertical">
        <Form.Item name="key" label={t('settings.roleKey')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]*$/, message: t('validation.roleKey') }]}>
          <Input data-testid="role-key" />
        </Form.Item>
        <Form.Item name="name" label={t('settings.roleName')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input data-testid="role-name" />
        </Form.Item>
        <Form.Item name="description" label={t('settings.description')}>
          <Input />
        </Form.Item>
        <Form.Item name="copy_from" label={t('settings.copyFrom')}>
          <Select allowClear options={roles.map((r) => ({ value: r.id, label: r.name }))} data-testid="role-copy-from" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
