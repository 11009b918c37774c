import { useState } from 'react';
import { CustomFieldValues } from '../customFields/CustomFieldValues';
import { EditCustomFieldsButton } from '../customFields/CustomFieldsDialog';
import type { StoredValues } from '../customFields/values';
import { Alert, App, Button, Card, Descriptions, Rate, Space, Spin, Typography } from 'antd';
import { UserAddOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { can } from '../../app/permissions';
import { hasCode, isStale, useProblemText } from '../../ui/problemText';
import type { Ticket } from '../../api/types';
import { dateTimeOrDash } from '../../i18n/format';
import { LoadMore } from '../../ui/CursorTable';
import { ErrorResult, Loaded } from '../../ui/ErrorResult';
import { PriorityTag } from '../activities/labels';
import { useMe } from '../auth/useSession';
import { useContacts } from '../customers/useCustomers';
import { useDocumentTitle } from '../../ui/documentTitle';
import { useTeamOptions } from '../../ui/useOptions';
import { TicketRequirements } from '../requirements/TicketRequirements';
import { AssignModal } from './AssignModal';
import { CloseTicketModal } from './CloseTicketModal';
import { Conversation, ReplyBox } from './Conversation';
import { SlaBadge, TicketKindTag, TicketStatusTag } from './labels';
import { TicketArticles } from './TicketArticles';
import { allowedMoves, needsCloseReason, type StatusMove } from './transitions';
import { useNow } from './useNow';
import { useSlaSchedules } from './useSlaPolicies';
import { useAssignTicket, useMoveTicket, useTicket, useTicketComments, useUpdateTicketFields } from './useTickets';
import { RecordHead } from '../../ui/RecordHead';
import { RecordColumns } from '../../ui/RecordPage';

export default function TicketShow() {
  const { id = '' } = useParams();
  const ticket = useTicket(id);
  return <Loaded query={ticket}>{(data) => <Show ticket={data} reload={() => void ticket.refetch()} />}</Loaded>;
}

function Show({ ticket: x, reload }: { ticket: Ticket; reload: () => void }) {
  const { t, i18n } = useTranslation();
  const problemText = useProblemText();
  useDocumentTitle(`${x.number} ${x.subject}`, t('service.tabs.tickets'), t('nav.service'));
  const lang = i18n.language;
  const me = useMe().data;
  const { message, modal } = App.useApp();
  const now = useNow();
  const schedule = useSlaSchedules().get(x.sla_policy_id);
  const move = useMoveTicket();
  const assign = useAssignTicket();
  const teams = useTeamOptions();
  const contacts = useContacts(x.customer_id, Boolean(x.contact_id));
  const [assigning, setAssigning] = useState(false);
  const [closing, setClosing] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  // the assignee may work their ticket whatever their role's scope (the server allows it too)
  const canUpdate = can(me, 'service', 'update') || (Boolean(me) && x.assignee_id === me?.id);
  const updateFields = useUpdateTicketFields();
  const contact = contacts.data?.find((c) => c.id === x.contact_id);
  const team = teams.options.find((o) => o.value === x.team_id)?.label;

  const failed = (e: Error) => {
    if (isStale(e)) {
      modal.warning({ title: t('stale.title'), content: t('stale.descriptionShort'), okText: t('stale.reload'), onOk: reload });
      return;
    }
    if (hasCode(e, 'ticket.close_reason_required')) {
      // reopened meanwhile: it is no longer resolved, so the close needs a reason after all
      reload();
      setClosing(true);
      return;
    }
    const text = problemText(e);
    if (hasCode(e, 'ticket.invalid_transition', 'ticket.closed')) {
      // the server refused the move: say why, and show the ticket as it is now
      setRefused(text);
      reload();
      return;
    }
    void message.error(text);
  };

  const doMove = (m: StatusMove) => {
    setRefused(null);
    move.mutate(
      { ticket: x, status: m.to },
      { onSuccess: (n) => void message.success(t('ticket.moved', { status: t(`ticketStatus.${n.status}`) })), onError: failed },
    );
  };

  const onMove = (m: StatusMove) => {
    if (m.action !== 'close') return doMove(m);
    // a ticket that was never resolved is closed only with a reason; a resolved one just asks to be sure
    if (needsCloseReason(x.status)) return setClosing(true);
    modal.confirm({
      title: t('ticket.closeConfirm', { number: x.number }),
      okText: t('ticket.action.close'),
      cancelText: t('common.cancel'),
      okButtonProps: { 'data-testid': 'ticket-close-confirm' } as { danger?: boolean },
      onOk: () => doMove(m),
    });
  };

  const assignToMe = () =>
    me &&
    assign.mutate(
      { ticket: x, body: { assignee_id: me.id } },
      { onSuccess: () => void message.success(t('ticket.assigned', { name: me.display_name })), onError: failed },
    );

  return (
    <>
      <RecordColumns
        side={
          <>
            <TicketRequirements ticketId={x.id} />
            {x.satisfaction_rating !== null && x.satisfaction_rating !== undefined && (
              <Card title={t('ticket.satisfaction')} size="small" data-testid="ticket-rating">
                <Space orientation="vertical" size={4}>
                  <Rate disabled value={x.satisfaction_rating} count={5} />
                  <Typography.Text data-testid="ticket-rating-value">{t('ticket.ratingValue', { rating: x.satisfaction_rating })}</Typography.Text>
                  {x.satisfaction_comment && <Typography.Paragraph style={{ margin: 0 }}>{x.satisfaction_comment}</Typography.Paragraph>}
                </Space>
              </Card>
            )}
            <TicketArticles ticket={x} canUpdate={canUpdate} />
          </>
        }
      >
        <Card>
          <RecordHead
            title={x.number}
            titleTestId="ticket-title"
            tags={
              <>
                <TicketStatusTag status={x.status} />
                <PriorityTag priority={x.priority} />
                <TicketKindTag kind={x.kind} />
                <SlaBadge ticket={x} now={now} schedule={schedule} />
              </>
            }
            actions={canUpdate && (
              <>
                <EditCustomFieldsButton
                  entity="tickets"
                  values={(x.custom_fields ?? {}) as StoredValues}
                  save={(patch) => updateFields.mutateAsync({ ticket: x, customFields: patch })}
                />
                {allowedMoves(x.status).map((m) => (
                  <Button
                    key={m.to}
                    type={m.action === 'resolve' || m.action === 'start' ? 'primary' : 'default'}
                    loading={move.isPending && move.variables?.status === m.to}
                    onClick={() => onMove(m)}
                    data-testid={`ticket-move-${m.to}`}
                  >
                    {t(`ticket.action.${m.action}`)}
                  </Button>
                ))}
                {me && x.assignee_id !== me.id && (
                  <Button icon={<UserOutlined />} loading={assign.isPending} onClick={assignToMe} data-testid="ticket-assign-me">
                    {t('ticket.assignToMe')}
                  </Button>
                )}
                <Button icon={<UserAddOutlined />} onClick={() => setAssigning(true)} data-testid="ticket-assign">
                  {t('ticket.assign')}
                </Button>
              </>
            )}
            actionsTestId="ticket-actions"
          />
          <Typography.Title level={5} style={{ marginTop: 0 }} data-testid="ticket-subject">{x.subject}</Typography.Title>
          {refused && (
            <Alert
              type="error"
              showIcon
              closable={{ onClose: () => setRefused(null) }}
              title={t('ticket.moveRefused')}
              description={refused}
              style={{ marginBottom: 12 }}
              data-testid="ticket-move-error"
            />
          )}
          <Descriptions size="small" column={{ xs: 1, sm: 2, xl: 3 }} data-testid="ticket-profile">
            <Descriptions.Item label={t('ticket.customer')}>
              <Link to={`/customers/${x.customer_id}`} data-testid="ticket-customer-link">{x.customer_name ?? x.customer_id}</Link>
            </Descriptions.Item>
            <Descriptions.Item label={t('ticket.contact')}>{x.contact_id ? (contact?.name ?? '…') : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('ticket.channel')}>{t(`ticketChannel.${x.channel}`)}</Descriptions.Item>
            <Descriptions.Item label={t('ticket.assignee')}>
              <span data-testid="ticket-assignee">{x.assignee_name ?? t('ticket.unassigned')}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('ticket.team')}>{team ?? (x.team_id ? '…' : '—')}</Descriptions.Item>
            <Descriptions.Item label={t('ticket.createdAt')}>{dateTimeOrDash(x.created_at, lang)}</Descriptions.Item>
            <Descriptions.Item label={t('ticket.firstResponseDue')}>
              <Space size={4} wrap data-testid="ticket-first-response-due">
                <span>{dateTimeOrDash(x.first_response_due_at, lang)}</span>
                <SlaBadge ticket={x} now={now} schedule={schedule} clock="first_response" />
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('ticket.firstRespondedAt')}>{dateTimeOrDash(x.first_responded_at, lang)}</Descriptions.Item>
            <Descriptions.Item label={t('ticket.resolutionDue')}>
              <Space size={4} wrap data-testid="ticket-resolution-due">
                <span>{dateTimeOrDash(x.resolution_due_at, lang)}</span>
                <SlaBadge ticket={x} now={now} schedule={schedule} clock="resolution" />
              </Space>
            </Descriptions.Item>
            {x.paused_at && <Descriptions.Item label={t('ticket.pausedAt')}>{dateTimeOrDash(x.paused_at, lang)}</Descriptions.Item>}
            <Descriptions.Item label={t('ticket.resolvedAt')}>{dateTimeOrDash(x.resolved_at, lang)}</Descriptions.Item>
            {x.closed_at && <Descriptions.Item label={t('ticket.closedAt')}>{dateTimeOrDash(x.closed_at, lang)}</Descriptions.Item>}
            {x.close_reason && (
              <Descriptions.Item label={t('ticket.closeReason')}>
                <Space size={4} wrap>
                  <span data-testid="ticket-close-reason" data-reason={x.close_reason}>{t(`closeReason.${x.close_reason}`)}</span>
                  {x.duplicate_of_id && <DuplicateOf id={x.duplicate_of_id} />}
                </Space>
              </Descriptions.Item>
            )}
            {x.close_note && (
              <Descriptions.Item label={t('ticket.closeNote')} span="filled">
                <span style={{ whiteSpace: 'pre-wrap' }} data-testid="ticket-close-note">{x.close_note}</span>
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t('ticket.description')} span="filled">
              <span style={{ whiteSpace: 'pre-wrap' }}>{x.description || '—'}</span>
            </Descriptions.Item>
          </Descriptions>
          <CustomFieldValues entity="tickets" values={(x.custom_fields ?? {}) as StoredValues} />
        </Card>
        <Card title={t('ticket.conversation')} size="small">
          <Comments ticket={x} />
          {canUpdate && <ReplyBox ticket={x} />}
        </Card>
      </RecordColumns>
      <AssignModal open={assigning} ticket={x} onClose={() => setAssigning(false)} />
      <CloseTicketModal open={closing && x.status !== 'closed'} ticket={x} onClose={() => setClosing(false)} />
    </>
  );
}

/** The ticket a duplicate repeats, by its number once read (one the reader may not see stays unnamed). */
function DuplicateOf({ id }: { id: string }) {
  const { t } = useTranslation();
  const original = useTicket(id);
  return (
    <Link to={`/service/tickets/${id}`} data-testid="ticket-duplicate-of">
      {t('ticket.duplicateOf')} {original.data?.number ?? t('ticket.anotherTicket')}
    </Link>
  );
}

function Comments({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const comments = useTicketComments(ticket.id);
  if (comments.isPending) return <Spin />;
  if (comments.isError) return <ErrorResult error={comments.error} onRetry={() => void comments.refetch()} />;
  return (
    <>
      <Conversation comments={comments.data.pages.flatMap((p) => p.data)} />
      <LoadMore query={comments} compact label={t('ticket.laterComments')} data-testid="comments-load-more" />
    </>
  );
}
