import { useDeferredValue } from 'react';
import { Alert, Button, Form, Input, Select, Space, Typography } from 'antd';
import { BulbOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { TICKET_KINDS, type PortalCreateTicket, type TicketKind, type TicketPriority } from '../../../api/types';
import { useFormProblem } from '../../../ui/formErrors';
import { useOpenPortalTicket, usePortalArticles } from './usePortal';
import { FormPageCard } from '../../../ui/FormPage';
import { enumOptions } from '../../../ui/useOptions';

interface Values {
  subject: string;
  description?: string;
  kind: TicketKind;
  priority: TicketPriority;
}
const PRIORITIES: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

/** Articles that may already answer the question, looked up while the customer types the subject. */
function Suggestions({ subject }: { subject: string }) {
  const { t } = useTranslation();
  const q = useDeferredValue(subject.trim());
  const found = usePortalArticles({ q }, { limit: 3, enabled: q.length >= 2 });
  const rows = q.length >= 2 ? (found.data?.pages[0]?.data ?? []) : [];
  if (rows.length === 0) return null;
  return (
    <Alert
      type="info"
      showIcon
      icon={<BulbOutlined />}
      style={{ marginBottom: 16 }}
      title={t('portal.newTicket.maybe')}
      data-testid="portal-suggestions"
      description={
        <ul style={{ margin: 0, paddingLeft: 18 }}>
          {rows.map((a) => <li key={a.id}><Link to={`/portal/kb/${a.id}`} target="_blank">{a.title}</Link></li>)}
        </ul>
      }
    />
  );
}

/** Opening a ticket (`/portal/tickets/new`); our team is assigned in turn. */
export default function PortalTicketForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const open = useOpenPortalTicket();
  const [form] = Form.useForm<Values>();
  const problem = useFormProblem(form, ['subject', 'description', 'kind', 'priority'], { testId: 'portal-ticket-error' });
  const subject = (Form.useWatch('subject', form) as string | undefined) ?? '';

  const onFinish = (v: Values) => {
    problem.clear();
    const body: PortalCreateTicket = { subject: v.subject.trim(), description: v.description?.trim() || null, kind: v.kind, priority: v.priority };
    open.mutate(body, {
      onSuccess: (x) => navigate(`/portal/tickets/${x.id}?created=1`, { replace: true }),
      onError: (e) => problem.show(e),
    });
  };

  return (
    <FormPageCard title={t('portal.newTicket.title')} className="portal-card">
      <Typography.Paragraph type="secondary">{t('portal.newTicket.intro')}</Typography.Paragraph>
      {problem.alert}
      <Form<Values> form={form} layout="vertical" initialValues={{ kind: 'inquiry', priority: 'normal' }} onFinish={onFinish} requiredMark={false}>
        <Form.Item name="subject" label={t('portal.newTicket.subject')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 200 }]}>
          <Input maxLength={200} placeholder={t('portal.newTicket.subjectPlaceholder')} data-testid="portal-ticket-subject" />
        </Form.Item>
        <Suggestions subject={subject} />
        <Form.Item name="description" label={t('portal.newTicket.description')}>
          <Input.TextArea rows={6} maxLength={10_000} placeholder={t('portal.newTicket.descriptionPlaceholder')} data-testid="portal-ticket-description" />
        </Form.Item>
        <Space wrap size="large">
          <Form.Item name="kind" label={t('portal.newTicket.kind')}>
            <Select<TicketKind>
              style={{ minWidth: 180 }}
              options={enumOptions(t, TICKET_KINDS, 'portal.kind')}
              data-testid="portal-ticket-kind"
            />
          </Form.Item>
          <Form.Item name="priority" label={t('portal.newTicket.priority')}>
            <Select<TicketPriority>
              style={{ minWidth: 180 }}
              options={enumOptions(t, PRIORITIES, 'portal.priority')}
              data-testid="portal-ticket-priority"
            />
          </Form.Item>
        </Space>
        <Space>
          <Button type="primary" htmlType="submit" loading={open.isPending} data-testid="portal-ticket-submit">{t('portal.newTicket.submit')}</Button>
          <Button onClick={() => navigate('/portal')}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </FormPageCard>
  );
}
