import { Button, Segmented, Select, Typography } from 'antd';
import type { TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import { TICKET_KINDS, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_VIEWS, type Ticket, type TicketView } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { PriorityTag } from '../activities/labels';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { useMe } from '../auth/useSession';
import { useOwnerOptions } from '../../ui/useOptions';
import { parseTicketFilters, ticketFiltersToQuery, ticketFiltersToSearch } from './filters';
import { ExportButton } from '../../ui/ExportButton';
import { SlaBadge, TicketStatusTag } from './labels';
import { slaSummary } from './sla';
import { useNow } from './useNow';
import { useSlaSchedules } from './useSlaPolicies';
import { useTicketList } from './useTickets';
import { useUrlFilters } from '../../ui/useUrlFilters';
import { CursorTable, cursorTotal, TotalBadge } from '../../ui/CursorTable';
import { DayRangeFilter, EnumMultiFilter, FilterBar, FlagFilter, TeamFilter } from '../../ui/FilterBar';

/** The queue's columns; the customer page leaves out the customer. */
export function useTicketColumns(withCustomer = true): NonNullable<TableProps<Ticket>['columns']> {
  const { t, i18n } = useTranslation();
  const now = useNow();
  const schedules = useSlaSchedules();
  return [
    {
      title: t('ticket.number'),
      key: 'number',
      render: (_: unknown, x: Ticket) => <Link to={`/service/tickets/${x.id}`} data-testid="ticket-row-link">{x.number}</Link>,
    },
    { title: t('ticket.subject'), key: 'subject', render: (_: unknown, x: Ticket) => <Typography.Text ellipsis style={{ maxWidth: 320 }}>{x.subject}</Typography.Text> },
    ...(withCustomer
      ? [{ title: t('ticket.customer'), key: 'customer', render: (_: unknown, x: Ticket) => <Link to={`/customers/${x.customer_id}`}>{x.customer_name ?? '—'}</Link> }]
      : []),
    { title: t('ticket.priority'), key: 'priority', render: (_: unknown, x: Ticket) => <PriorityTag priority={x.priority} /> },
    { title: t('ticket.status'), key: 'status', render: (_: unknown, x: Ticket) => <TicketStatusTag status={x.status} /> },
    { title: t('ticket.assignee'), key: 'assignee', render: (_: unknown, x: Ticket) => x.assignee_name ?? <Typography.Text type="secondary">{t('ticket.unassigned')}</Typography.Text> },
    { title: t('ticket.sla'), key: 'sla', render: (_: unknown, x: Ticket) => <SlaBadge ticket={x} now={now} schedule={schedules.get(x.sla_policy_id)} /> },
    { title: t('ticket.createdAt'), key: 'created_at', render: (_: unknown, x: Ticket) => formatDateTime(x.created_at, i18n.language) },
  ];
}

/** Row attributes: breached rows are tinted, like overdue tasks. */
export function ticketRowProps(x: Ticket, now: number) {
  const state = slaSummary(x, now).state;
  return {
    className: state === 'breached' ? 'ticket-breached' : undefined,
    attrs: { 'data-status': x.status, 'data-sla': state } as React.HTMLAttributes<HTMLElement>,
  };
}

/** The ticket queue (`/service/tickets`): my queue, unassigned or all, filtered through the URL. */
/** The record fields the table's columns show, in their order, for the export. */
const TICKET_EXPORT_COLUMNS = ['number', 'subject', 'customer_name', 'priority', 'status', 'assignee_name', 'first_response_due_at', 'resolution_due_at', 'created_at'];

export default function TicketQueue() {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const now = useNow();
  const { filters, update, field, dayRange } = useUrlFilters(parseTicketFilters, ticketFiltersToSearch);
  const list = useTicketList(filters);
  const columns = useTicketColumns();
  const owners = useOwnerOptions();
  // roles that may not list users pick between themselves and everyone
  const assigneeOptions = owners.enabled ? owners.options : me ? [{ value: me.id, label: me.display_name }] : [];

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div>
      <div className="page-head">
        <Segmented<TicketView>
          {...field('view')}
          options={TICKET_VIEWS.map((v) => ({ value: v, label: <span data-testid={`ticket-view-${v}`}>{t(`ticket.views.${v}`)}</span> }))}
          data-testid="ticket-views"
        />
        <span style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <TotalBadge total={cursorTotal(list)} data-testid="ticket-total" />
          <ExportButton path="/api/v1/tickets/export" query={ticketFiltersToQuery(filters)} columns={TICKET_EXPORT_COLUMNS} data-testid="ticket-export" />
          {can(me, 'service', 'create') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/service/tickets/new')} data-testid="ticket-new">
              {t('ticket.create')}
            </Button>
          )}
        </span>
      </div>
      <FilterBar
        data-testid="ticket-filters"
        search={{ value: filters.q, onChange: (q) => update({ q }), placeholder: t('ticket.searchPlaceholder'), width: 220, 'data-testid': 'ticket-search' }}
      >
        {filters.view !== 'my_queue' && (
          <EnumMultiFilter values={TICKET_STATUSES} labelKey="ticketStatus" placeholder={t('ticket.status')} {...field('status')} width={180} data-testid="ticket-filter-status" />
        )}
        <EnumMultiFilter values={TICKET_PRIORITIES} labelKey="priority" placeholder={t('ticket.priority')} {...field('priority')} data-testid="ticket-filter-priority" />
        <EnumMultiFilter values={TICKET_KINDS} labelKey="ticketKind" placeholder={t('ticket.kind')} {...field('kind')} data-testid="ticket-filter-kind" />
        {filters.view === 'all' && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('ticket.assignee')}
            value={filters.assignee_id}
            onChange={(v?: string) => update({ assignee_id: v || undefined })}
            options={assigneeOptions}
            style={{ minWidth: 180 }}
            data-testid="ticket-filter-assignee"
          />
        )}
        <TeamFilter {...field('team_id')} placeholder={t('ticket.team')} data-testid="ticket-filter-team" />
        <CustomerPicker
          value={filters.customer_id}
          onChange={(v) => update({ customer_id: v || undefined })}
          placeholder={t('ticket.customer')}
          style={{ minWidth: 200 }}
          data-testid="ticket-filter-customer"
        />
        <FlagFilter {...field('breached')} yes={t('ticket.breachedOnly')} no={t('ticket.notBreached')} placeholder={t('ticket.breachedFilter')} width={150} data-testid="ticket-filter-breached" />
        <DayRangeFilter {...dayRange('due_from', 'due_to')} placeholder={[t('ticket.dueFrom'), t('ticket.dueTo')]} data-testid="ticket-filter-due" />
      </FilterBar>
      <CursorTable<Ticket>
        query={list}
        columns={columns}
        locale={{ emptyText: t(`ticket.empty.${filters.view}`) }}
        rowClassName={(x) => ticketRowProps(x, now).className ?? ''}
        onRow={(x) => ticketRowProps(x, now).attrs}
        data-testid="ticket-table"
      />
    </div>
  );
}
