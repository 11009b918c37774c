import { useState } from 'react';
import { Alert, App, Button, DatePicker, Drawer, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography, type ButtonProps } from 'antd';
import { CopyOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { WEBHOOK_EVENT_TYPES, type IssuedWebhook, type Webhook, type WebhookDelivery, type WebhookDeliveryStatus, type WebhookStatus } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem } from '../../ui/formErrors';
import { mergePatch } from '../../ui/mergePatch';
import { EditLink } from '../../ui/RowActions';
import { useVersionedEdit, useWriteFailed } from '../../ui/useVersionedEdit';
import { copyText } from '../service/InviteToPortal';
import { DEFAULT_OVERLAP_MINUTES } from './ApiKeysTab';
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
const MAX_OVERLAP_MINUTES = 10080;

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

/** The secret of a subscription just made or rotated, shown this once, with a copy button. */
function IssuedSecretModal({ issued, open, onClose, afterClose }: { issued: IssuedWebhook | null; open: boolean; onClose: () => void; afterClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [input, setInput] = useState<HTMLInputElement | null>(null);
  return (
    <Modal
      open={open}
      afterClose={afterClose}
      destroyOnHidden
      title={t('webhook.issuedTitle', { url: issued?.webhook.url ?? '' })}
      closable={false}
      keyboard={false}
      mask={{ closable: false }}
      footer={
        <Button type="primary" onClick={onClose} data-testid="webhook-issued-done">
          {t('webhook.issuedDone')}
        </Button>
      }
    >
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('webhook.issuedWarning')} />
      <Space.Compact style={{ width: '100%' }}>
        <Input readOnly value={issued?.secret ?? ''} ref={(r) => setInput(r?.input ?? null)} onFocus={(e) => e.target.select()} data-testid="webhook-secret" />
        <Button
          type="primary"
          icon={<CopyOutlined />}
          onClick={() =>
            void copyText(issued?.secret ?? '', input).then((ok) => (ok ? message.success(t('webhook.copied')) : message.warning(t('webhook.copyByHand'))))
          }
          data-testid="webhook-copy"
        >
          {t('webhook.copy')}
        </Button>
      </Space.Compact>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('webhook.issuedHint')}
      </Typography.Paragraph>
    </Modal>
  );
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
  const [form] = Form.useForm<WebhookFormValues>();
  const [dialog, setDialog] = useState<{ open: boolean; webhook: Webhook | null }>({ open: false, webhook: null });
  const problem = useFormProblem(form, WEBHOOK_FIELDS, { testId: 'webhook-form-error' });
  const edit = useVersionedEdit({
    record: dialog.webhook,
    latest: (base) => fetchWebhook(base.id),
    form,
    toForm: webhookToForm,
    changes: webhookPatch,
  });
  const [rotateForm] = Form.useForm<{ overlap_minutes: number }>();
  const rotateProblem = useFormProblem(rotateForm, ['overlap_minutes'], { testId: 'webhook-rotate-error' });
  const [rotating, setRotating] = useState<Webhook | null>(null);
  const [watching, setWatching] = useState<Webhook | null>(null);
  // the secret is dropped (and its dialog's content unmounted) once the dialog has closed
  const [issued, setIssued] = useState<IssuedWebhook | null>(null);
  const [issuedOpen, setIssuedOpen] = useState(false);
  const showIssued = (made: IssuedWebhook) => {
    setIssued(made);
    setIssuedOpen(true);
  };

  const open = (webhook: Webhook | null) => {
    edit.reset(webhook);
    problem.reset(webhook ? webhookToForm(webhook) : NEW_WEBHOOK);
    setDialog({ open: true, webhook });
  };

  const submit = () =>
    problem.submit(async (v) => {
      if (dialog.webhook === null) {
        const made = await create.mutateAsync(webhookBody(v));
        setDialog((d) => ({ ...d, open: false }));
        showIssued(made);
        return;
      }
      const outcome = await edit.saveChanges(v, (base, patch) => update.mutateAsync({ webhook: base, patch }));
      if (outcome === 'stale') return;
      void message.success(t('common.saved'));
      setDialog((d) => ({ ...d, open: false }));
    });

  const setStatus = (webhook: Webhook, status: 'active' | 'paused') =>
    update.mutate(
      { webhook, patch: { status } },
      { onSuccess: () => void message.success(t(status === 'paused' ? 'webhook.paused' : 'webhook.resumed')), onError: writeFailed },
    );

  const submitRotate = () =>
    rotateProblem.submit(async (v) => {
      if (!rotating) return;
      const made = await rotate.mutateAsync({ webhook: rotating, overlap_minutes: v.overlap_minutes });
      setRotating(null);
      showIssued(made);
    });

  const ownerName = (w: Webhook) => users.data?.find((u) => u.id === w.owner_id)?.display_name ?? '';

  if (webhooks.isError) return <ErrorResult error={webhooks.error} onRetry={() => void webhooks.refetch()} />;
  return (
    <div>
      <Typography.Paragraph type="secondary">{t('webhook.intro')}</Typography.Paragraph>
      <Button type="primary" icon={<PlusOutlined />} onClick={() => open(null)} style={{ marginBottom: 12 }} data-testid="webhook-new">
        {t('webhook.new')}
      </Button>
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
                <EditLink onClick={() => open(w)} data-testid="webhook-edit" />
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
                <Button
                  size="small"
                  type="link"
                  onClick={() => {
                    rotateProblem.reset({ overlap_minutes: DEFAULT_OVERLAP_MINUTES });
                    setRotating(w);
                  }}
                  data-testid="webhook-rotate"
                >
                  {t('webhook.rotate')}
                </Button>
                <Popconfirm
                  title={t('webhook.deleteConfirm')}
                  okText={t('webhook.delete')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ danger: true, 'data-testid': 'webhook-delete-confirm' } as ButtonProps}
                  onConfirm={() => remove.mutate(w, { onSuccess: () => void message.success(t('webhook.deleted')), onError: writeFailed })}
                >
                  <Button size="small" type="link" danger data-testid="webhook-delete">
                    {t('webhook.delete')}
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
        title={dialog.webhook ? t('webhook.edit') : t('webhook.new')}
        onCancel={() => setDialog((d) => ({ ...d, open: false }))}
        onOk={() => void submit()}
        confirmLoading={create.isPending || update.isPending}
        okText={dialog.webhook ? t('common.save') : t('webhook.create')}
        okTestId="webhook-save"
      >
        {edit.notice}
        {problem.alert}
        <Form form={form} layout="vertical" initialValues={NEW_WEBHOOK} data-testid="webhook-form">
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
        </Form>
      </FormModal>
      <FormModal
        form={rotateForm}
        open={rotating !== null}
        title={t('webhook.rotateTitle', { url: rotating?.url ?? '' })}
        onCancel={() => setRotating(null)}
        onOk={() => void submitRotate()}
        confirmLoading={rotate.isPending}
        okText={t('webhook.rotate')}
        okTestId="webhook-rotate-confirm"
      >
        {rotateProblem.alert}
        <Typography.Paragraph>{t('webhook.rotateIntro')}</Typography.Paragraph>
        <Form form={rotateForm} layout="vertical" initialValues={{ overlap_minutes: DEFAULT_OVERLAP_MINUTES }}>
          <Form.Item
            name="overlap_minutes"
            label={t('webhook.overlapMinutes')}
            extra={t('webhook.overlapHint')}
            rules={[
              { required: true, message: t('validation.required') },
              { type: 'integer', min: 0, max: MAX_OVERLAP_MINUTES, message: t('validation.range', { min: 0, max: MAX_OVERLAP_MINUTES }) },
            ]}
          >
            <InputNumber precision={0} min={0} max={MAX_OVERLAP_MINUTES} style={{ width: '100%' }} data-testid="webhook-overlap" />
          </Form.Item>
        </Form>
      </FormModal>
      <DeliveriesDrawer webhook={watching} onClose={() => setWatching(null)} />
      <IssuedSecretModal
        issued={issued}
        open={issuedOpen}
        onClose={() => setIssuedOpen(false)}
        afterClose={() => {
          // The secret is shown once: drop it from the mutations' results too, not only from the page.
          setIssued(null);
          create.reset();
          rotate.reset();
        }}
      />
    </div>
  );
}
