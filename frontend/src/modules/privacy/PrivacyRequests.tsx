import { useState } from 'react';
import { App, Button, Col, DatePicker, Form, Input, Modal, Radio, Row, Select, Space, Switch, Tag, Typography, type ButtonProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  PRIVACY_REQUEST_KINDS, PRIVACY_REQUEST_STATUSES, type PrivacyRequest, type PrivacyRequestKind, type PrivacyRequestStatus, type SubjectType,
} from '../../api/types';
import { can } from '../../app/permissions';
import { formatDateTime } from '../../i18n/format';
import { CursorTable } from '../../ui/CursorTable';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { ErrorResult } from '../../ui/ErrorResult';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem } from '../../ui/formErrors';
import { NewButton } from '../../ui/NewButton';
import { useProblemText } from '../../ui/problemText';
import { enumOptions } from '../../ui/useOptions';
import { useMe } from '../auth/useSession';
import { ContactSelect } from '../customers/ContactSelect';
import { useAnswerPrivacyRequest, useCreatePrivacyRequest, usePrivacyRequests, type RequestFilters } from './usePrivacy';

interface RequestFormValues {
  subject_type: SubjectType;
  customer_id?: string;
  contact_id?: string | null;
  kind: PrivacyRequestKind;
  received_at: Dayjs;
  channel: string;
  notes?: string;
}

const REQUEST_FIELDS = ['subject_type', 'subject_id', 'kind', 'received_at', 'channel', 'notes'] as const;

const statusColor: Record<PrivacyRequestStatus, string> = { received: 'blue', completed: 'green', refused: 'default' };

/** "Record request": who asks (a customer or one of its contacts), for what, when and how it came. */
function NewRequest() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const create = useCreatePrivacyRequest();
  const [form] = Form.useForm<RequestFormValues>();
  const problem = useFormProblem(form, REQUEST_FIELDS, { renamed: { subject_id: 'customer_id' }, testId: 'request-form-error' });
  const [open, setOpen] = useState(false);
  const subjectType = Form.useWatch('subject_type', form);
  const customerId = Form.useWatch('customer_id', form);

  const submit = () =>
    problem.submit(async (v) => {
      const subjectId = v.subject_type === 'contact' ? v.contact_id : v.customer_id;
      await create.mutateAsync({
        subject_type: v.subject_type,
        subject_id: subjectId ?? '',
        kind: v.kind,
        received_at: v.received_at.toISOString(),
        channel: v.channel,
        notes: v.notes?.trim() || null,
      });
      void message.success(t('privacy.request.recorded'));
      setOpen(false);
    });

  return (
    <>
      <NewButton onClick={() => { problem.reset({ subject_type: 'customer', received_at: dayjs() }); setOpen(true); }} data-testid="request-add">
        {t('privacy.request.add')}
      </NewButton>
      <FormModal form={form} open={open} title={t('privacy.request.add')} onCancel={() => setOpen(false)} onOk={() => void submit()}
        confirmLoading={create.isPending} okTestId="request-save">
        {problem.alert}
        <Form form={form} layout="vertical" data-testid="request-form">
          <Form.Item name="subject_type" label={t('privacy.request.subjectType')}>
            <Radio.Group options={[{ value: 'customer', label: t('privacy.subject.customer') }, { value: 'contact', label: t('privacy.subject.contact') }]} />
          </Form.Item>
          <Row gutter={12}>
            <Col xs={24} sm={subjectType === 'contact' ? 12 : 24}>
              <Form.Item name="customer_id" label={t('privacy.request.customer')} rules={[{ required: true, message: t('validation.required') }]}>
                <CustomerPicker data-testid="request-customer" onChange={() => form.setFieldsValue({ contact_id: null })} />
              </Form.Item>
            </Col>
            {subjectType === 'contact' && (
              <Col xs={24} sm={12}>
                <Form.Item name="contact_id" label={t('privacy.request.contact')} rules={[{ required: true, message: t('validation.required') }]}>
                  <ContactSelect customerId={customerId} placeholder={t('privacy.request.pickCustomerFirst')} data-testid="request-contact" />
                </Form.Item>
              </Col>
            )}
          </Row>
          <Row gutter={12}>
            <Col xs={24} sm={12}>
              <Form.Item name="kind" label={t('privacy.request.kind')} rules={[{ required: true, message: t('validation.required') }]}>
                <Select options={enumOptions(t, PRIVACY_REQUEST_KINDS, 'privacy.kind')} data-testid="request-kind" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name="received_at" label={t('privacy.request.receivedAt')} extra={t('privacy.request.dueHint')}
                rules={[{ required: true, message: t('validation.required') }]}>
                <DatePicker showTime style={{ width: '100%' }} data-testid="request-received-at" />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="channel" label={t('privacy.request.channel')} extra={t('privacy.request.channelHint')}
            rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
            <Input maxLength={100} data-testid="request-channel" />
          </Form.Item>
          <Form.Item name="notes" label={t('privacy.request.notes')}>
            <Input.TextArea rows={3} maxLength={4000} />
          </Form.Item>
        </Form>
      </FormModal>
    </>
  );
}

/** Asks why a request is refused; the reason is told to the person. */
function RefuseDialog({ request, onClose }: { request: PrivacyRequest | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemText = useProblemText();
  const answer = useAnswerPrivacyRequest();
  const [reason, setReason] = useState('');
  return (
    <Modal
      open={request !== null}
      title={t('privacy.request.refuseTitle')}
      okText={t('privacy.request.refuse')}
      cancelText={t('common.cancel')}
      okButtonProps={{ danger: true, disabled: reason.trim() === '', 'data-testid': 'request-refuse-confirm' } as ButtonProps}
      confirmLoading={answer.isPending}
      onCancel={onClose}
      afterOpenChange={(open) => open && setReason('')}
      onOk={() =>
        request &&
        answer.mutate(
          { request, refusal: reason.trim() },
          { onSuccess: () => { void message.success(t('privacy.request.refused')); onClose(); }, onError: (e) => void message.error(problemText(e)) },
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('privacy.request.refuseHint')}</Typography.Paragraph>
      <Input.TextArea rows={3} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="request-refuse-reason" />
    </Modal>
  );
}

/** Subject requests (个人信息请求): received, due 15 days later, overdue ones highlighted; complete or refuse. */
export function PrivacyRequests() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const { message } = App.useApp();
  const problemText = useProblemText();
  const [filters, setFilters] = useState<RequestFilters>({});
  const requests = usePrivacyRequests(filters);
  const answer = useAnswerPrivacyRequest();
  const [refusing, setRefusing] = useState<PrivacyRequest | null>(null);
  const canCreate = can(me, 'privacy', 'create');
  const canAnswer = can(me, 'privacy', 'update');
  if (requests.isError) return <ErrorResult error={requests.error} onRetry={() => void requests.refetch()} />;
  const when = (at: string | null | undefined) => (at ? formatDateTime(at, i18n.language) : '—');
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="privacy-requests">
      <Space wrap>
        {canCreate && <NewRequest />}
        <Select<PrivacyRequestStatus>
          allowClear
          placeholder={t('privacy.request.anyStatus')}
          value={filters.status}
          onChange={(status) => setFilters((f) => ({ ...f, status }))}
          options={enumOptions(t, PRIVACY_REQUEST_STATUSES, 'privacy.status')}
          style={{ minWidth: 140 }}
          data-testid="request-status-filter"
        />
        <Space>
          <Switch checked={filters.overdue ?? false} onChange={(overdue) => setFilters((f) => ({ ...f, overdue }))} data-testid="request-overdue-filter" />
          <span>{t('privacy.request.overdueOnly')}</span>
        </Space>
      </Space>
      <CursorTable<PrivacyRequest>
        query={requests}
        data-testid="requests-table"
        rowClassName={(r) => (r.overdue ? 'task-overdue' : '')}
        locale={{ emptyText: t('privacy.request.none') }}
        columns={[
          {
            title: t('privacy.request.subject'),
            key: 'subject',
            render: (_: unknown, r: PrivacyRequest) => (
              <Space>
                <Tag>{t(`privacy.subject.${r.subject_type}`)}</Tag>
                <Link to={`/customers/${r.customer_id}`}>{r.subject_name ?? r.subject_id}</Link>
              </Space>
            ),
          },
          { title: t('privacy.request.kind'), dataIndex: 'kind', render: (k: PrivacyRequestKind) => t(`privacy.kind.${k}`) },
          {
            title: t('privacy.request.status'),
            dataIndex: 'status',
            render: (s: PrivacyRequestStatus, r: PrivacyRequest) => (
              <Space>
                <Tag color={statusColor[s]} data-testid="request-status">{t(`privacy.status.${s}`)}</Tag>
                {r.overdue && <Tag color="red" data-testid="request-overdue">{t('privacy.request.overdue')}</Tag>}
              </Space>
            ),
          },
          { title: t('privacy.request.receivedAt'), dataIndex: 'received_at', render: when },
          { title: t('privacy.request.dueAt'), dataIndex: 'due_at', render: when },
          { title: t('privacy.request.channel'), dataIndex: 'channel' },
          {
            title: t('privacy.request.outcome'),
            key: 'outcome',
            render: (_: unknown, r: PrivacyRequest) =>
              r.status === 'received' ? '—' : `${when(r.resolved_at)}${r.resolved_by_name ? ` · ${r.resolved_by_name}` : ''}${r.refusal_reason ? ` · ${r.refusal_reason}` : ''}`,
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, r: PrivacyRequest) =>
              canAnswer && r.status === 'received' && (
                <Space>
                  <Button size="small" type="link" data-testid="request-complete" loading={answer.isPending && answer.variables?.request.id === r.id}
                    onClick={() => answer.mutate({ request: r }, {
                      onSuccess: () => void message.success(t('privacy.request.completed')),
                      onError: (e) => void message.error(problemText(e)),
                    })}
                  >
                    {t('privacy.request.complete')}
                  </Button>
                  <Button size="small" type="link" danger onClick={() => setRefusing(r)} data-testid="request-refuse">
                    {t('privacy.request.refuse')}
                  </Button>
                </Space>
              ),
          },
        ]}
      />
      <RefuseDialog request={refusing} onClose={() => setRefusing(null)} />
    </Space>
  );
}
