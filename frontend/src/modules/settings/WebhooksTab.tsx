import { useState } from 'react';
import { App, Button, DatePicker, Drawer, Form, Input, Modal, Select, Space, Table, Tag, Tooltip, Typography, type ButtonProps } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { WEBHOOK_EVENT_TYPES, type IssuedWebhook, type Webhook, type WebhookDelivery, type WebhookDeliveryStatus, type WebhookStatus } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { mergePatch } from '../../ui/mergePatch';
import { NewButton } from '../../ui/NewButton';
import { RecordFormModal, useRecordDialog } from '../../ui/RecordDialog';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { IssuedSecretModal, RotateSecretModal, useIssuedSecret, useRotateSecret } from './secretDialogs';
import { useUsers } from './useUsers';
import {
  fetchWebhook, useCreateWebhook, useDeleteWebhook, useRedeliver, useRotateWebhookSecret, useTestWebhook, useUpdateWebhook, useWebhookDeliveries,
  useWebhooks,
} from './useWebhooks';

export interface WebhookFormValues {
  url: string;
  event_types: string[];
  description: string;
  owner_id: string | null;
}

/** What the form sends: the API's fields (no owner: the caller). */
export interface WebhookBody {
  url: string;
  event_types: string[];
  description: string;
  owner_id?: string;
}

export const WEBHOOK_FIELDS = ['url', 'event_types', 'description', 'owner_id'] as const;
const NEW_WEBHOOK: WebhookFormValues = { url: '', event_types: [], description: '', owner_id: null };
const SECRET = { labels: 'webhook', testIdPrefix: 'webhook' };

const webhookToForm = (w: Webhook): WebhookFormValues => ({ url: w.url, event_types: w.event_types, description: w.description, owner_id: w.owner_id });

export function webhookBody(v: WebhookFormValues): WebhookBody {
  return {
    url: v.url.trim(),
    event_types: v.event_types,
    description: (v.description ?? '').trim(),
    ...(v.owner_id ? { owner_id: v.owner_id } : {}),
  };
}

/** Only the fields that changed (a merge patch). */
export function webhookPatch(webhook: Webhook, v: WebhookFormValues): Partial<WebhookBody> {
  return mergePatch(webhookBody(webhookToForm(webhook)), webhookBody(v));
}

const STATUS_COLOR: Record<WebhookStatus, string> = { active: 'green', paused: 'default', disabled: 'red' };
const DELIVERY_COLOR: Record<WebhookDeliveryStatus, string> = { pending: 'blue', succeeded: 'green', failed: 'red' };

function StatusTag({ webhook }: { webhook: Webhook }) {
  const { t } = useTranslation();
  const tag = (
    <Tag color={STATUS_COLOR[webhook.status]} data-testid="webhook-status">
      {t(`webhook.status.${webhook.status}`)}
    </Tag>
  );
  return webhook.disabled_reason ? <Tooltip title={t(`webhook.disabledReason.${webhook.disabled_reason}`)}>{tag}</Tooltip> : tag;
}

/** One attempt's answer in a line: the status, or the error when none came. */
function AttemptsTable({ delivery }: { delivery: WebhookDelivery }) {
  const { t, i18n } = useTranslation();
  if (delivery.attempts.length === 0) return <Typography.Text type="secondary">{t('webhook.noAttempts')}</Typography.Text>;
  return (
    <Table
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={delivery.attempts}
      data-testid="webhook-attempts"
      columns={[
        { title: t('webhook.attemptedAt'), key: 'at', render: (_: unknown, a) => formatDateTime(a.attempted_at, i18n.language) },
        {
          title: t('webhook.httpStatus'),
          key: 'status',
          render: (_: unknown, a) =>
            a.status_code !== null && a.status_code !== undefined ? (
              <Tag color={a.status_code >= 200 && a.status_code < 300 ? 'green' : 'red'}>{a.status_code}</Tag>
            ) : (
              <Typography.Text type="danger">{t(`webhook.failure.${a.error_code ?? 'request'}`)}</Typography.Text>
            ),
        },
        { title: t('webhook.latency'), key: 'latency', render: (_: unknown, a) => t('webhook.latencyMs', { ms: a.latency_ms }) },
        {
          title: t('webhook.response'),
          key: 'response',
          render: (_: unknown, a) => (
            <Typography.Text code ellipsis={{ tooltip: a.response_excerpt }} style={{ maxWidth: 320 }}>
              {a.response_excerpt}
            </Typography.Text>
          ),
        },
      ]}
    />
  );
}

/** A subscription's deliveries with every attempt; redeliver one, or everything since a time. */
function DeliveriesDrawer({ webhook, onClose }: { webhook: Webhook | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [status, setStatus] = useState<WebhookDeliveryStatus | null>(null);
  const deliveries = useWebhookDeliveries(webhook?.id ?? null, status);
  const redeliver = useRedeliver();
  const writeFailed = useWriteFailed(() => void deliveries.refetch());
  const [since, setSince] = useState<Dayjs | null>(null);
  const [sinceOpen, setSinceOpen] = useState(false);
  return (
    <Drawer open={webhook !== null} onClose={onClose} size="large" title={t('webhook.deliveriesTitle', { url: webhook?.url ?? '' })} destroyOnHidden>
      <Space style={{ marginBottom: 12 }} wrap>
        <Select<WebhookDeliveryStatus | 'all'>
          value={status ?? 'all'}
          onChange={(v) => setStatus(v === 'all' ? null : v)}
          style={{ width: 160 }}
          options={[
            { value: 'all', label: t('webhook.allStatuses') },
            ...(['pending', 'succeeded', 'failed'] as const).map((s) => ({ value: s, label: t(`webhook.deliveryStatus.${s}`) })),
          ]}
          data-testid="webhook-delivery-status-filter"
        />
        <Button onClick={() => setSinceOpen(true)} data-testid="webhook-redeliver-since">
          {t('webhook.redeliverSince')}
        </Button>
      </Space>
      {deliveries.isError ? (
        <ErrorResult error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : (
        <CursorTable<WebhookDelivery>
          query={deliveries}
          compact
          data-testid="webhook-deliveries-table"
          expandable={{ expandedRowRender: (d) => <AttemptsTable delivery={d} /> }}
          columns={[
            { title: t('webhook.event'), key: 'event', render: (_: unknown, d: WebhookDelivery) => <Typography.Text code>{d.event_type}</Typography.Text> },
            {
              title: t('webhook.statusLabel'),
              key: 'status',
              render: (_: unknown, d: WebhookDelivery) => (
                <Tag color={DELIVERY_COLOR[d.status]} data-testid="webhook-delivery-status">
                  {t(`webhook.deliveryStatus.${d.status}`)}
                </Tag>
              ),
            },
            { title: t('webhook.attempts'), dataIndex: 'attempt_count' },
            {
              title: t('webhook.nextAttempt'),
              key: 'next',
              render: (_: unknown, d: WebhookDelivery) => (d.next_attempt_at ? formatDateTime(d.next_attempt_at, i18n.language) : '—'),
            },
            { title: t('webhook.createdAt'), key: 'created', render: (_: unknown, d: WebhookDelivery) => formatDateTime(d.created_at, i18n.language) },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, d: WebhookDelivery) => (
                <Button
                  size="small"
                  type="link"
                  loading={redeliver.isPending}
                  onClick={() =>
                    redeliver.mutate(
                      { webhookId: d.subscription_id, deliveryId: d.id },
                      { onSuccess: () => void message.success(t('webhook.redelivered')), onError: writeFailed },
                    )
                  }
                  data-testid="webhook-redeliver"
                >
                  {t('webhook.redeliver')}
                </Button>
              ),
            },
          ]}
        />
      )}
      <Modal
        open={sinceOpen}
        title={t('webhook.redeliverSinceTitle')}
        onCancel={() => setSinceOpen(false)}
        okButtonProps={{ disabled: since === null, 'data-testid': 'webhook-redeliver-since-confirm' } as ButtonProps}
        okText={t('webhook.redeliver')}
        cancelText={t('common.cancel')}
        confirmLoading={redeliver.isPending}
        onOk={() => {
          if (!webhook || !since) return;
          redeliver.mutate(
            { webhookId: webhook.id, since: since.toISOString() },
            {
              onSuccess: (count) => {
                void message.success(t('webhook.redeliveredCount', { count }));
                setSinceOpen(false);
              },
              onError: writeFailed,
            },
          );
        }}
      >
        <Typography.Paragraph type="secondary">{t('webhook.redeliverSinceHint')}</Typography.Paragraph>
        <DatePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          style={{ width: '100%' }}
          value={since}
          onChange={setSince}
          placeholder={t('webhook.since')}
          data-testid="webhook-redeliver-since-at"
        />
      </Modal>
    </Drawer>
  );
}

/** Administrators subscribe URLs to events, follow their deliveries and redeliver. */
export function WebhooksTab() {
  const { t, i18n } = useTranslation();
  const webhooks = useWebhooks();
  const users = useUsers();
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const rotate = useRotateWebhookSecret();
  const remove = useDeleteWebhook();
  const test = useTestWebhook();
  const { message } = App.useApp();
  const writeFailed = useWriteFailed(() => void webhooks.refetch());
  const dialog = useRecordDialog({
    fields: WEBHOOK_FIELDS,
    errorTestId: 'webhook-form-error',
    blank: NEW_WEBHOOK,
    latest: (base: Webhook) => fetchWebhook(base.id),
    toForm: webhookToForm,
    changes: webhookPatch,
  });
  const rotation = useRotateSecret<Webhook>(SECRET);
  const [watching, setWatching] = useState<Webhook | null>(null);
  const issued = useIssuedSecret<IssuedWebhook>(() => {
    // The secret is shown once: drop it from the mutations' results too, not only from the page.
    create.reset();
    rotate.reset();
  });

  const submit = () =>
    dialog.save(
      (base, patch) => update.mutateAsync({ webhook: base, patch }),
      async (v) => issued.show(await create.mutateAsync(webhookBody(v))),
    );

  const setStatus = (webhook: Webhook, status: 'active' | 'paused') =>
    update.mutate(
      { webhook, patch: { status } },
      { onSuccess: () => void message.success(t(status === 'paused' ? 'webhook.paused' : 'webhook.resumed')), onError: writeFailed },
    );

  const ownerName = (w: Webhook) => users.data?.find((u) => u.id === w.owner_id)?.display_name ?? '';

  if (webhooks.isError) return <ErrorResult error={webhooks.error} onRetry={() => void webhooks.refetch()} />;
  return (
    <div>
      <Typography.Paragraph type="secondary">{t('webhook.intro')}</Typography.Paragraph>
      <NewButton onClick={() => dialog.open(null)} data-testid="webhook-new">{t('webhook.new')}</NewButton>
      <CursorTable<Webhook>
        query={webhooks}
        data-testid="webhooks-table"
        columns={[
          {
            title: t('webhook.url'),
            key: 'url',
            render: (_: unknown, w: Webhook) => (
              <div>
                <Typography.Text code>{w.url}</Typography.Text>
                {w.description && <div><Typography.Text type="secondary">{w.description}</Typography.Text></div>}
              </div>
            ),
          },
          {
            title: t('webhook.eventTypes'),
            key: 'types',
            render: (_: unknown, w: Webhook) => (
              <Space size={[0, 4]} wrap style={{ maxWidth: 320 }}>
                {w.event_types.slice(0, 4).map((type) => <Tag key={type}>{type}</Tag>)}
                {w.event_types.length > 4 && <Tooltip title={w.event_types.slice(4).join(', ')}><Tag>+{w.event_types.length - 4}</Tag></Tooltip>}
              </Space>
            ),
          },
          { title: t('webhook.owner'), key: 'owner', render: (_: unknown, w: Webhook) => ownerName(w) },
          { title: t('webhook.statusLabel'), key: 'status', render: (_: unknown, w: Webhook) => <StatusTag webhook={w} /> },
          {
            title: t('webhook.failingSince'),
            key: 'failing_since',
            render: (_: unknown, w: Webhook) =>
              w.failing_since ? (
                <Typography.Text type="danger">{formatDateTime(w.failing_since, i18n.language)}</Typography.Text>
              ) : (
                <Typography.Text type="secondary">{t('webhook.healthy')}</Typography.Text>
              ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, w: Webhook) => (
              <Space size={0} wrap>
                <EditLink onClick={() => dialog.open(w)} data-testid="webhook-edit" />
                {w.status === 'active' ? (
                  <Button size="small" type="link" onClick={() => setStatus(w, 'paused')} data-testid="webhook-pause">
                    {t('webhook.pause')}
                  </Button>
                ) : (
                  <Button size="small" type="link" onClick={() => setStatus(w, 'active')} data-testid="webhook-resume">
                    {t('webhook.resume')}
                  </Button>
                )}
                <Button
                  size="small"
                  type="link"
                  onClick={() =>
                    test.mutate(w, {
                      onSuccess: () => {
                        void message.success(t('webhook.testSent'));
                        setWatching(w);
                      },
                      onError: writeFailed,
                    })
                  }
                  data-testid="webhook-test"
                >
                  {t('webhook.test')}
                </Button>
                <Button size="small" type="link" onClick={() => setWatching(w)} data-testid="webhook-deliveries">
                  {t('webhook.deliveries')}
                </Button>
                <Button size="small" type="link" onClick={() => rotation.open(w)} data-testid="webhook-rotate">
                  {t('webhook.rotate')}
                </Button>
                <DeleteLink
                  confirm={t('webhook.deleteConfirm')}
                  label={t('webhook.delete')}
                  confirmButton={{ danger: true, testId: 'webhook-delete-confirm' }}
                  onConfirm={() => remove.mutate(w, { onSuccess: () => void message.success(t('webhook.deleted')), onError: writeFailed })}
                  data-testid="webhook-delete"
                />
              </Space>
            ),
          },
        ]}
      />
      <RecordFormModal
        dialog={dialog}
        title={dialog.record ? t('webhook.edit') : t('webhook.new')}
        onOk={() => void submit()}
        confirmLoading={create.isPending || update.isPending}
        okText={dialog.record ? t('common.save') : t('webhook.create')}
        okTestId="webhook-save"
        initialValues={NEW_WEBHOOK}
        formTestId="webhook-form"
      >
        <Form.Item name="url" label={t('webhook.url')} extra={t('webhook.urlHint')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input autoFocus placeholder="https://erp.example.com/crm-events" data-testid="webhook-url" />
        </Form.Item>
        <Form.Item
          name="event_types"
          label={t('webhook.eventTypes')}
          extra={t('webhook.eventTypesHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('validation.required') }]}
        >
          <Select mode="multiple" allowClear options={WEBHOOK_EVENT_TYPES.map((type) => ({ value: type, label: type }))} data-testid="webhook-event-types" />
        </Form.Item>
        <Form.Item name="description" label={t('webhook.description')}>
          <Input maxLength={500} data-testid="webhook-description" />
        </Form.Item>
        <Form.Item name="owner_id" label={t('webhook.owner')} extra={t('webhook.ownerHint')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            loading={users.isPending}
            options={(users.data ?? []).map((u) => ({ value: u.id, label: u.display_name }))}
            data-testid="webhook-owner"
          />
        </Form.Item>
      </RecordFormModal>
      <RotateSecretModal
        kind={SECRET}
        dialog={rotation}
        title={t('webhook.rotateTitle', { url: rotation.rotating?.url ?? '' })}
        pending={rotate.isPending}
        rotate={async (webhook, overlap_minutes) => issued.show(await rotate.mutateAsync({ webhook, overlap_minutes }))}
      />
      <DeliveriesDrawer webhook={watching} onClose={() => setWatching(null)} />
      <IssuedSecretModal {...issued.modal} kind={SECRET} title={t('webhook.issuedTitle', { url: issued.issued?.webhook.url ?? '' })} secret={issued.issued?.secret ?? ''} />
    </div>
  );
}
