import { App, Button, DatePicker, Form, Input, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import type { ApiKey, ApiKeyStatus, IssuedApiKey } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { mergePatch, sameInstant } from '../../ui/mergePatch';
import { NewButton } from '../../ui/NewButton';
import { RecordFormModal, useRecordDialog } from '../../ui/RecordDialog';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { IssuedSecretModal, RotateSecretModal, useIssuedSecret, useRotateSecret } from './secretDialogs';
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
const SECRET = { labels: 'apiKey', testIdPrefix: 'api-key' };

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
  const dialog = useRecordDialog({
    fields: API_KEY_FIELDS,
    errorTestId: 'api-key-form-error',
    blank: NEW_KEY,
    latest: (base: ApiKey) => fetchApiKey(base.id),
    toForm: keyToForm,
    changes: apiKeyPatch,
  });
  const rotation = useRotateSecret<ApiKey>(SECRET);
  const issued = useIssuedSecret<IssuedApiKey>(() => {
    // The key is shown once: drop it from the mutations' results too, not only from the page.
    create.reset();
    rotate.reset();
  });

  const roleName = (k: ApiKey) => roles.data?.find((r) => r.id === k.role_id)?.name ?? k.role_key;

  const submit = () =>
    dialog.save(
      (base, patch) => update.mutateAsync({ key: base, patch }),
      async (v) => {
        const body = apiKeyBody(v);
        const made = await create.mutateAsync({
          name: body.name,
          role_id: body.role_id,
          ...(body.expires_at ? { expires_at: body.expires_at } : {}),
          ...(body.allowed_addresses.length > 0 ? { allowed_addresses: body.allowed_addresses } : {}),
        });
        issued.show(made);
      },
    );

  if (keys.isError) return <ErrorResult error={keys.error} onRetry={() => void keys.refetch()} />;
  return (
    <div>
      <Typography.Paragraph type="secondary">{t('apiKey.intro')}</Typography.Paragraph>
      <NewButton onClick={() => dialog.open(null)} data-testid="api-key-new">{t('apiKey.new')}</NewButton>
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
                  <EditLink onClick={() => dialog.open(k)} data-testid="api-key-edit" />
                  {k.status === 'active' && !k.replaced_by_id && (
                    <Button size="small" type="link" onClick={() => rotation.open(k)} data-testid="api-key-rotate">
                      {t('apiKey.rotate')}
                    </Button>
                  )}
                  <DeleteLink
                    confirm={t('apiKey.revokeConfirm')}
                    label={t('apiKey.revoke')}
                    confirmButton={{ danger: true, testId: 'api-key-revoke-confirm' }}
                    onConfirm={() => revoke.mutate(k, { onSuccess: () => void message.success(t('apiKey.revoked')), onError: writeFailed })}
                    data-testid="api-key-revoke"
                  />
                </Space>
              ),
          },
        ]}
      />
      <RecordFormModal
        dialog={dialog}
        title={dialog.record ? t('apiKey.edit') : t('apiKey.new')}
        onOk={() => void submit()}
        confirmLoading={create.isPending || update.isPending}
        okText={dialog.record ? t('common.save') : t('apiKey.create')}
        okTestId="api-key-save"
        initialValues={NEW_KEY}
        formTestId="api-key-form"
      >
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
      </RecordFormModal>
      <RotateSecretModal
        kind={SECRET}
        dialog={rotation}
        title={t('apiKey.rotateTitle', { name: rotation.rotating?.name ?? '' })}
        pending={rotate.isPending}
        rotate={async (key, overlap_minutes) => issued.show(await rotate.mutateAsync({ key, overlap_minutes }))}
      />
      <IssuedSecretModal {...issued.modal} kind={SECRET} title={t('apiKey.issuedTitle', { name: issued.issued?.key.name ?? '' })} secret={issued.issued?.api_key ?? ''} />
    </div>
  );
}
