import { Button, Empty, Segmented, Spin, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { PortalTicket, TicketStatus } from '../../../api/types';
import { formatDate } from '../../../i18n/format';
import { LoadMore, useCursorRows } from '../../../ui/CursorTable';
import { ErrorResult } from '../../../ui/ErrorResult';
import { ProgressLine } from './ProgressLine';
import { PORTAL_TICKET_VIEWS, usePortalTickets, type PortalTicketView } from './usePortal';
import { usePortalMe } from './usePortalSession';

const STATUS_COLORS: Record<TicketStatus, string> = {
  new: 'blue', in_progress: 'processing', waiting_customer: 'orange', resolved: 'success', closed: 'default',
};

export function PortalStatusTag({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return <Tag color={STATUS_COLORS[status]} data-testid="portal-ticket-status" data-status={status}>{t(`portal.status.${status}`)}</Tag>;
}

/** "My tickets" (`/portal`, `?view=open|done|all` in the URL), newest first, with "load more". */
export default function PortalTickets() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const me = usePortalMe().data;
  const [params, setParams] = useSearchParams();
  const viewParam = params.get('view');
  const view: PortalTicketView = (PORTAL_TICKET_VIEWS as readonly string[]).includes(viewParam ?? '') ? (viewParam as PortalTicketView) : 'open';
  const list = usePortalTickets(view);
  const rows = useCursorRows(list);

  return (
    <div>
      <div className="portal-page-head">
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>{t('portal.tickets.title')}</Typography.Title>
          {me && (
            <Typography.Text type="secondary">
              {me.sees_company_tickets ? t('portal.tickets.company', { company: me.customer_name ?? '' }) : t('portal.tickets.own')}
            </Typography.Text>
          )}
        </div>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/portal/tickets/new')} data-testid="portal-new-ticket">
          {t('portal.tickets.new')}
        </Button>
      </div>
      <Segmented<PortalTicketView>
        value={view}
        onChange={(v) => setParams(v === 'open' ? {} : { view: v }, { replace: true })}
        options={PORTAL_TICKET_VIEWS.map((v) => ({ value: v, label: <span data-testid={`portal-view-${v}`}>{t(`portal.tickets.views.${v}`)}</span> }))}
        style={{ marginBottom: 12 }}
      />
      {list.isError && !list.data ? (
        <ErrorResult error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Spin />
      ) : rows.length === 0 ? (
        <Empty description={t(`portal.tickets.empty.${view}`)} data-testid="portal-tickets-empty">
          <Button onClick={() => navigate('/portal/kb')}>{t('portal.tickets.tryHelp')}</Button>
        </Empty>
      ) : (
        <div className="portal-ticket-list" data-testid="portal-ticket-list">
          {rows.map((x: PortalTicket) => (
            <Link key={x.id} to={`/portal/tickets/${x.id}`} className="portal-ticket-card" data-testid="portal-ticket" data-status={x.status}>
              <div className="portal-ticket-card-head">
                <Typography.Text strong className="portal-ticket-subject">{x.subject}</Typography.Text>
                <PortalStatusTag status={x.status} />
              </div>
              <ProgressLine ticket={x} />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {x.number} · {t('portal.tickets.opened', { date: formatDate(x.created_at, i18n.language) })}
                {x.assignee_name ? ` · ${t('portal.tickets.handledBy', { name: x.assignee_name })}` : ''}
              </Typography.Text>
            </Link>
          ))}
        </div>
      )}
      <LoadMore query={list} shown={rows.length} end data-testid="portal-load-more" />
    </div>
  );
}
