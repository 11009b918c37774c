import { useState } from 'react';
import { Alert, App, Button, DatePicker, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Tag, Typography, type ButtonProps } from 'antd';
import { CopyOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import type { ApiKey, ApiKeyStatus, IssuedApiKey } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem } from '../../ui/formErrors';
import { mergePatch, sameInstant } from '../../ui/mergePatch';
import { EditLink } from '../../ui/RowActions';
import { useVersionedEdit, useWriteFailed } from '../../ui/useVersionedEdit';
import { copyText } from '../service/InviteToPortal';
import { fetchApiKey, useApiKeys, useCreateApiKey, useRevokeApiKey, useRotateApiKey, useUpdateApiKey } from './useApiKeys';
import { useRoles } from './useRoles';

export interface ApiKeyFormValues {
  name: string;
  role_id: string;
  expires_at: Dayjs | null;
  allowed_addresses: string[];
}

/** What the form sends: the API's fields, the expiry as an instant (null: works until revoked). */
export interface ApiKeyBody {
  name: string;
  role_id: string;
  expires_at: string | null;
  allowed_addresses: string[];
}

export const API_KEY_FIELDS = ['name', 'role_id', 'expires_at', 'allowed_addresses'] as const;
const NEW_KEY = { name: '', expires_at: null, allowed_addresses: [] };
/** How long the old key keeps working after a rotation unless told otherwise (a day), and at most (a week). */
export const DEFAULT_OVERLAP_MINUTES = 1440;
const MAX_OVERLAP_MINUTES = 10080;

const keyToForm = (key: ApiKey): ApiKeyFormValues => ({
  name: key.name,
  role_id: key.role_id,
  expires_at: key.expires_at ? dayjs(key.expires_at) : null,
  allowed_addresses: key.allowed_addresses,
});

export function apiKeyBody(v: ApiKeyFormValues): ApiKeyBody {
  return {
    name: v.name.trim(),
    role_id: v.role_id,
    expires_at: v.expires_at ? v.expires_at.toISOString() : null,
    allowed_addresses: (v.allowed_addresses ?? []).map((a) => a.trim()).filter((a) => a !== ''),
  };
}

/** Only the fields that changed (a merge patch); a cleared expiry is sent as null. */
export function apiKeyPatch(key: ApiKey, v: ApiKeyFormValues): Partial<ApiKeyBody> {
  return mergePatch(apiKeyBody(keyToForm(key)), apiKeyBody(v), { expires_at: sameInstant });
}

const STATUS_COLOR: Record<ApiKeyStatus, string> = { active: 'green', expired: 'orange', revoked: 'default' };

function StatusTag({ apiKey }: { apiKey: ApiKey }) {
  const { t } = useTranslation();
  const label: Record<ApiKeyStatus, string> = { active: t('apiKey.status.active'), expired: t('apiKey.status.expired'), revoked: t('apiKey.status.revoked') };
  return (
    <Space size={4} wrap>
      <Tag color={STATUS_COLOR[apiKey.status]} data-testid="api-key-status">
        {label[apiKey.status]}
      </Tag>
      {apiKey.status === 'active' && apiKey.replaced_by_id && <Tag color="gold">{t('apiKey.rotated')}</Tag>}
    </Space>
  );
}

/** The secret of a key just made or rotated, shown this once, with a copy button. */
function IssuedKeyModal({ issued, open, onClose, afterClose }: { issued: IssuedApiKey | null; open: boolean; onClose: () => void; afterClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [input, setInput] = useState<HTMLInputElement | null>(null);
  return (
    <Modal
      open={open}
      afterClose={afterClose}
      destroyOnHidden
      title={t('apiKey.issuedTitle', { name: issued?.key.name ?? '' })}
      closable={false}
      keyboard={false}
      mask={{ closable: false }}
      footer={
        <Button type="primary" onClick={onClose} data-testid="api-key-issued-done">
          {t('apiKey.issuedDone')}
        </Button>
      }
    >
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('apiKey.issuedWarning')} data-testid="api-key-issued-warning" />
      <Space.Compact style={{ width: '100%' }}>
        <Input readOnly value={issued?.api_key ?? ''} ref={(r) => setInput(r?.input ?? null)} onFocus={(e) => e.target.select()} data-testid="api-key-secret" />
        <Button
          type="primary"
          icon={<CopyOutlined />}
          onClick={() =>
            void copyText(issued?.api_key ?? '', input).then((ok) => (ok ? message.success(t('apiKey.copied')) : message.warning(t('apiKey.copyByHand'))))
          }
          data-testid="api-key-copy"
        >
          {t('apiKey.copy')}
        </Button>
      </Space.Compact>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('apiKey.issuedHint')}
      </Typography.Paragraph>
    </Modal>
  );
}

/** Administrators make, edit, rotate and revoke the keys integrations sign in with. */
export function ApiKeysTab() {
  const { t, i18n } = useTranslation();
  const keys = useApiKeys();
  const roles = useRoles();
  const create = useCreateApiKey();
  const update = useUpdateApiKey();
  const rotate = useRotateApiKey();
  const revoke = useRevokeApiKey();
  const { message } = App.useApp();
  const writeFailed = useWriteFailed(() => void keys.refetch());
  const [form] = Form.useForm<ApiKeyFormValues>();
  const [dialog, setDialog] = useState<{ open: boolean; key: ApiKey | null }>({ open: false, key: null });
  const problem = useFormProblem(form, API_KEY_FIELDS, { testId: 'api-key-form-error' });
  const edit = useVersionedEdit({
    record: dialog.key,
    latest: (base) => fetchApiKey(base.id),
    form,
    toForm: keyToForm,
    changes: apiKeyPatch,
  });
  const [rotateForm] = Form.useForm<{ overlap_minutes: number }>();
  const rotateProblem = useFormProblem(rotateForm, ['overlap_minutes'], { testId: 'api-key-rotate-error' });
  const [rotating, setRotating] = useState<ApiKey | null>(null);
  // the secret is dropped (and its dialog's content unmounted) once the dialog has closed
  const [issued, setIssued] = useState<IssuedApiKey | null>(null);
  const [issuedOpen, setIssuedOpen] = useState(false);
  const showIssued = (made: IssuedApiKey) => {
    setIssued(made);
    setIssuedOpen(true);
  };

  const roleName = (k: ApiKey) => roles.data?.find((r) => r.id === k.role_id)?.name ?? k.role_key;

  const open = (key: ApiKey | null) => {
    edit.reset(key);
    problem.reset(key ? keyToForm(key) : NEW_KEY);
    setDialog({ open: true, key });
  };

  const submit = () =>
    problem.submit(async (v) => {
      if (dialog.key === null) {
        const body = apiKeyBody(v);
        const made = await create.mutateAsync({
          name: body.name,
          role_id: body.role_id,
          ...(body.expires_at ? { expires_at: body.expires_at } : {}),
          ...(body.allowed_addresses.length > 0 ? { allowed_addresses: body.allowed_addresses } : {}),
        });
        setDialog((d) => ({ ...d, open: false }));
        showIssued(made);
        return;
      }
      const outcome = await edit.saveChanges(v, (base, patch) => update.mutateAsync({ key: base, patch }));
      if (outcome === 'stale') return;
      void message.success(t('common.saved'));
      setDialog((d) => ({ ...d, open: false }));
    });

  const openRotate = (key: ApiKey) => {
    rotateProblem.reset({ overlap_minutes: DEFAULT_OVERLAP_MINUTES });
    setRotating(key);
  };

  const submitRotate = () =>
    rotateProblem.submit(async (v) => {
      if (!rotating) return;
      const made = await rotate.mutateAsync({ key: rotating, overlap_minutes: v.overlap_minutes });
      setRotating(null);
      showIssued(made);
    });

  if (keys.isError) return <ErrorResult error={keys.error} onRetry={() => void keys.refetch()} />;
  return (
    <div>
      <Typography.Paragraph type="secondary">{t('apiKey.intro')}</Typography.Paragraph>
      <Button type="primary" icon={<PlusOutlined />} onClick={() => open(null)} style={{ marginBottom: 12 }} data-testid="api-key-new">
        {t('apiKey.new')}
      </Button>
      <CursorTable<ApiKey>
        query={keys}
        data-testid="api-keys-table"
        columns={[
          { title: t('apiKey.name'), dataIndex: 'name' },
          { title: t('apiKey.prefix'), key: 'prefix', render: (_: unknown, k: ApiKey) => <Typography.Text code>{k.prefix}</Typography.Text> },
          { title: t('user.role'), key: 'role', render: (_: unknown, k: ApiKey) => roleName(k) },
          { title: t('apiKey.statusLabel'), key: 'status', render: (_: unknown, k: ApiKey) => <StatusTag apiKey={k} /> },
          {
            title: t('apiKey.expiresAt'),
            key: 'expires_at',
            render: (_: unknown, k: ApiKey) => (k.expires_at ? formatDateTime(k.expires_at, i18n.language) : <Typography.Text type="secondary">{t('apiKey.never')}</Typography.Text>),
          },
          {
            title: t('apiKey.lastUsed'),
            key: 'last_used',
            render: (_: unknown, k: ApiKey) =>
              k.last_used_at ? (
                <div>
                  <div>{formatDateTime(k.last_used_at, i18n.language)}</div>
                  {k.last_used_ip && <Typography.Text type="secondary">{k.last_used_ip}</Typography.Text>}
                </div>
              ) : (
                <Typography.Text type="secondary">{t('apiKey.neverUsed')}</Typography.Text>
              ),
          },
          {
            title: t('apiKey.allowedAddresses'),
            key: 'allowed_addresses',
            render: (_: unknown, k: ApiKey) =>
              k.allowed_addresses.length > 0 ? (
                k.allowed_addresses.map((a) => <Tag key={a}>{a}</Tag>)
              ) : (
                <Typography.Text type="secondary">{t('apiKey.anywhere')}</Typography.Text>
              ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, k: ApiKey) =>
              k.status !== 'revoked' && (
                <Space size={0}>
                  <EditLink onClick={() => open(k)} data-testid="api-key-edit" />
                  {k.status === 'active' && !k.replaced_by_id && (
                    <Button size="small" type="link" onClick={() => openRotate(k)} data-testid="api-key-rotate">
                      {t('apiKey.rotate')}
                    </Button>
                  )}
                  <Popconfirm
                    title={t('apiKey.revokeConfirm')}
                    okText={t('apiKey.revoke')}
                    cancelText={t('common.cancel')}
                    okButtonProps={{ danger: true, 'data-testid': 'api-key-revoke-confirm' } as ButtonProps}
                    onConfirm={() => revoke.mutate(k, { onSuccess: () => void message.success(t('apiKey.revoked')), onError: writeFailed })}
                  >
                    <Button size="small" type="link" danger data-testid="api-key-revoke">
                      {t('apiKey.revoke')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      <FormModal
        form={form}
        open={dialog.open}
        title={dialog.key ? t('apiKey.edit') : t('apiKey.new')}
        onCancel={() => setDialog((d) => ({ ...d, open: false }))}
        onOk={() => void submit()}
        confirmLoading={create.isPending || update.isPending}
        okText={dialog.key ? t('common.save') : t('apiKey.create')}
        okTestId="api-key-save"
      >
        {edit.notice}
        {problem.alert}
        <Form form={form} layout="vertical" initialValues={NEW_KEY} data-testid="api-key-form">
          <Form.Item name="name" label={t('apiKey.name')} extra={t('apiKey.nameHint')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
            <Input autoFocus data-testid="api-key-name" />
          </Form.Item>
          <Form.Item name="role_id" label={t('user.role')} extra={t('apiKey.roleHint')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select options={(roles.data ?? []).map((r) => ({ value: r.id, label: r.name }))} loading={roles.isPending} data-testid="api-key-role" />
          </Form.Item>
          <Form.Item name="expires_at" label={t('apiKey.expiresAt')} extra={t('apiKey.expiresHint')}>
            <DatePicker
              showTime={{ format: 'HH:mm' }}
              format="YYYY-MM-DD HH:mm"
              style={{ width: '100%' }}
              disabledDate={(d) => d.isBefore(dayjs(), 'day')}
              placeholder={t('apiKey.never')}
              data-testid="api-key-expires-at"
            />
          </Form.Item>
          <Form.Item
            name="allowed_addresses"
            label={t('apiKey.allowedAddresses')}
            extra={t('apiKey.addressesHint')}
            rules={[{ type: 'array', max: 50, message: t('fieldError.too_many', { max: 50 }) }]}
          >
            <Select mode="tags" tokenSeparators={[',', '，', ' ']} open={false} suffixIcon={null} placeholder={t('apiKey.anywhere')} data-testid="api-key-addresses" />
          </Form.Item>
        </Form>
      </FormModal>
      <FormModal
        form={rotateForm}
        open={rotating !== null}
        title={t('apiKey.rotateTitle', { name: rotating?.name ?? '' })}
        onCancel={() => setRotating(null)}
        onOk={() => void submitRotate()}
        confirmLoading={rotate.isPending}
        okText={t('apiKey.rotate')}
        okTestId="api-key-rotate-confirm"
      >
        {rotateProblem.alert}
        <Typography.Paragraph>{t('apiKey.rotateIntro')}</Typography.Paragraph>
        <Form form={rotateForm} layout="vertical" initialValues={{ overlap_minutes: DEFAULT_OVERLAP_MINUTES }}>
          <Form.Item
            name="overlap_minutes"
            label={t('apiKey.overlapMinutes')}
            extra={t('apiKey.overlapHint')}
            rules={[
              { required: true, message: t('validation.required') },
              { type: 'integer', min: 0, max: MAX_OVERLAP_MINUTES, message: t('validation.range', { min: 0, max: MAX_OVERLAP_MINUTES }) },
            ]}
          >
            <InputNumber precision={0} min={0} max={MAX_OVERLAP_MINUTES} style={{ width: '100%' }} data-testid="api-key-overlap" />
          </Form.Item>
        </Form>
      </FormModal>
      <IssuedKeyModal issued={issued} open={issuedOpen} onClose={() => setIssuedOpen(false)} afterClose={() => {
          // The key is shown once: drop it from the mutations' results too, not only from the page.
          setIssued(null);
          create.reset();
          rotate.reset();
        }} />
    </div>
  );
}
