import { useState } from 'react';
import { Alert, App, Avatar, Button, Card, Empty, Input, Rate, Space, Spin, Typography } from 'antd';
import { ArrowLeftOutlined, CustomerServiceOutlined, SendOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { useProblemText } from '../../../ui/problemText';
import type { PortalComment, PortalTicket } from '../../../api/types';
import { formatDateTime } from '../../../i18n/format';
import { useDocumentTitle } from '../../../ui/documentTitle';
import { LoadMore } from '../../../ui/CursorTable';
import { ErrorResult } from '../../../ui/ErrorResult';
import { ProgressLine } from './ProgressLine';
import { PortalStatusTag } from './PortalTickets';
import { RatingForm } from './RatingForm';
import { canRate } from './ticketWording';
import { usePortalComments, usePortalRate, usePortalReply, usePortalTicket } from './usePortal';

/** A ticket as the customer sees it (`/portal/tickets/:id`): progress, the public conversation, a reply box, the rating. */
export default function PortalTicketShow() {
  const { id = '' } = useParams();
  const ticket = usePortalTicket(id);
  if (ticket.isPending) return <Spin />;
  if (ticket.isError) return <ErrorResult error={ticket.error} onRetry={() => void ticket.refetch()} />;
  return <Show ticket={ticket.data} />;
}

function Show({ ticket: x }: { ticket: PortalTicket }) {
  const { t, i18n } = useTranslation();
  useDocumentTitle(x.subject, t('portal.nav.tickets'));
  const [params] = useSearchParams();
  const rate = usePortalRate(x.id);
  const { message } = App.useApp();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/portal"><ArrowLeftOutlined /> {t('portal.tickets.title')}</Link>
      {params.get('created') === '1' && (
        <Alert type="success" showIcon title={t('portal.ticket.created', { number: x.number })} data-testid="portal-ticket-created" closable />
      )}
      <Card className="portal-card">
        <Space wrap align="center" style={{ marginBottom: 4 }}>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="portal-ticket-subject-title">{x.subject}</Typography.Title>
          <PortalStatusTag status={x.status} />
        </Space>
        <div style={{ marginBottom: 8 }}>
          <Typography.Text type="secondary" data-testid="portal-ticket-number">
            {x.number} · {t('portal.tickets.opened', { date: formatDateTime(x.created_at, i18n.language) })}
            {x.assignee_name ? ` · ${t('portal.tickets.handledBy', { name: x.assignee_name })}` : ''}
          </Typography.Text>
        </div>
        <ProgressLine ticket={x} />
        {x.description && <Typography.Paragraph style={{ marginTop: 12, whiteSpace: 'pre-wrap' }}>{x.description}</Typography.Paragraph>}
      </Card>
      {(canRate(x) || x.satisfaction_rating) && (
        <Card className="portal-card" data-testid="portal-rating">
          {canRate(x) ? (
            <RatingForm
              pending={rate.isPending}
              onSubmit={(r) => rate.mutateAsync(r).then(() => void message.success(t('portal.rating.thanks')))}
            />
          ) : (
            <div data-testid="portal-rating-done">
              <Typography.Text strong>{t('portal.rating.yours')}</Typography.Text>{' '}
              <Rate disabled value={x.satisfaction_rating ?? 0} />
              {x.satisfaction_comment && <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>{x.satisfaction_comment}</Typography.Paragraph>}
              <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>{t('portal.rating.thanks')}</Typography.Paragraph>
            </div>
          )}
        </Card>
      )}
      <Card className="portal-card" title={t('portal.ticket.conversation')}>
        <Conversation ticketId={x.id} />
        <Reply ticket={x} />
      </Card>
    </Space>
  );
}

function Conversation({ ticketId }: { ticketId: string }) {
  const { t, i18n } = useTranslation();
  const comments = usePortalComments(ticketId);
  if (comments.isPending) return <Spin />;
  if (comments.isError) return <ErrorResult error={comments.error} onRetry={() => void comments.refetch()} />;
  const rows: PortalComment[] = comments.data.pages.flatMap((p) => p.data);
  return (
    <div className="portal-conversation" data-testid="portal-conversation">
      {rows.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('portal.ticket.noMessages')} />
      ) : (
        rows.map((c) => (
          <div key={c.id} className={`portal-message ${c.from_customer ? 'portal-message-mine' : 'portal-message-staff'}`} data-testid="portal-message" data-from-customer={String(c.from_customer)}>
            <div className="portal-message-head">
              <Space size={6}>
                <Avatar size="small" icon={c.from_customer ? <UserOutlined /> : <CustomerServiceOutlined />} />
                <Typography.Text strong>{c.from_customer ? t('portal.ticket.you') : (c.author_name ?? t('portal.ticket.ourTeam'))}</Typography.Text>
              </Space>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatDateTime(c.created_at, i18n.language)}</Typography.Text>
            </div>
            <div className="portal-message-body">{c.body}</div>
          </div>
        ))
      )}
      <LoadMore query={comments} compact block label={t('ticket.laterComments')} />
    </div>
  );
}

function Reply({ ticket }: { ticket: PortalTicket }) {
  const { t } = useTranslation();
  const problemText = useProblemText();
  const reply = usePortalReply(ticket.id);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (ticket.status === 'closed') return <Typography.Paragraph type="secondary" data-testid="portal-reply-closed">{t('portal.ticket.closedHint')}</Typography.Paragraph>;
  const send = () => {
    if (!body.trim()) {
      setError(t('ticket.emptyComment'));
      return;
    }
    setError(null);
    reply.mutate(body.trim(), {
      onSuccess: () => setBody(''),
      onError: (e) => setError(problemText(e)),
    });
  };
  return (
    <div className="portal-reply" data-testid="portal-reply">
      {ticket.status === 'waiting_customer' && <Alert type="warning" showIcon title={t('portal.ticket.waitingHint')} style={{ marginBottom: 8 }} />}
      {ticket.status === 'resolved' && <Typography.Paragraph type="secondary">{t('portal.ticket.resolvedHint')}</Typography.Paragraph>}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="portal-reply-error" />}
      <Input.TextArea rows={4} value={body} onChange={(e) => setBody(e.target.value)} maxLength={10_000} placeholder={t('portal.ticket.replyPlaceholder')} data-testid="portal-reply-body" />
      <div style={{ textAlign: 'right', marginTop: 8 }}>
        <Button type="primary" icon={<SendOutlined />} loading={reply.isPending} onClick={send} data-testid="portal-reply-send">{t('portal.ticket.send')}</Button>
      </div>
    </div>
  );
}
