import { useMemo, useState } from 'react';
import { Badge, Button, DatePicker, Input, Segmented, Select, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import {
  TICKET_KINDS, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_VIEWS, type Ticket, type TicketKind, type TicketPriority, type TicketStatus, type TicketView,
} from '../../api/types';
import { formatDateTime, formatNumber } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { PriorityTag } from '../activities/labels';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { useMe } from '../auth/useSession';
import { useOwnerOptions, useTeamOptions } from '../../ui/useOptions';
import { parseTicketFilters, ticketFiltersToSearch } from './filters';
import { SlaBadge, TicketStatusTag } from './labels';
import { slaSummary } from './sla';
import { useNow } from './useNow';
import { useSlaSchedules } from './useSlaPolicies';
import { useTicketList } from './useTickets';
import { useUrlFilters } from '../../ui/useUrlFilters';

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
export default function TicketQueue() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const me = useMe().data;
  const navigate = useNavigate();
  const now = useNow();
  const { filters, update } = useUrlFilters(parseTicketFilters, ticketFiltersToSearch);
  const [qDraft, setQDraft] = useState(filters.q ?? '');
  const list = useTicketList(filters);
  const columns = useTicketColumns();
  const owners = useOwnerOptions();
  const teams = useTeamOptions();
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;
  const range: [dayjs.Dayjs | null, dayjs.Dayjs | null] | null =
    filters.due_from || filters.due_to ? [filters.due_from ? dayjs(filters.due_from) : null, filters.due_to ? dayjs(filters.due_to) : null] : null;
  // roles that may not list users pick between themselves and everyone
  const assigneeOptions = owners.enabled ? owners.options : me ? [{ value: me.id, label: me.display_name }] : [];

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div>
      <div className="page-head">
        <Segmented<TicketView>
          value={filters.view}
          onChange={(view) => update({ view })}
          options={TICKET_VIEWS.map((v) => ({ value: v, label: <span data-testid={`ticket-view-${v}`}>{t(`ticket.views.${v}`)}</span> }))}
          data-testid="ticket-views"
        />
        <span style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          {total !== undefined && total !== null && (
            <Badge count={formatNumber(total, lang)} color="#8c8c8c" overflowCount={Number.MAX_SAFE_INTEGER} data-testid="ticket-total" />
          )}
          {can(me, 'service', 'create') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/service/tickets/new')} data-testid="ticket-new">
              {t('ticket.create')}
            </Button>
          )}
        </span>
      </div>
      <div className="filter-bar" data-testid="ticket-filters">
        <Input.Search
          allowClear
          placeholder={t('ticket.searchPlaceholder')}
          value={qDraft}
          onChange={(e) => setQDraft(e.target.value)}
          onSearch={(v) => update({ q: v.trim() || undefined })}
          style={{ width: 220 }}
          data-testid="ticket-search"
        />
        {filters.view !== 'my_queue' && (
          <Select<TicketStatus[]>
            mode="multiple"
            allowClear
            placeholder={t('ticket.status')}
            value={filters.status}
            onChange={(status) => update({ status })}
            options={TICKET_STATUSES.map((s) => ({ value: s, label: t(`ticketStatus.${s}`) }))}
            style={{ minWidth: 180 }}
            data-testid="ticket-filter-status"
          />
        )}
        <Select<TicketPriority[]>
          mode="multiple"
          allowClear
          placeholder={t('ticket.priority')}
          value={filters.priority}
          onChange={(priority) => update({ priority })}
          options={TICKET_PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
          style={{ minWidth: 160 }}
          data-testid="ticket-filter-priority"
        />
        <Select<TicketKind[]>
          mode="multiple"
          allowClear
          placeholder={t('ticket.kind')}
          value={filters.kind}
          onChange={(kind) => update({ kind })}
          options={TICKET_KINDS.map((k) => ({ value: k, label: t(`ticketKind.${k}`) }))}
          style={{ minWidth: 160 }}
          data-testid="ticket-filter-kind"
        />
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
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('ticket.team')}
          value={filters.team_id}
          onChange={(v?: string) => update({ team_id: v || undefined })}
          options={teams.options}
          loading={teams.loading}
          style={{ minWidth: 160 }}
          data-testid="ticket-filter-team"
        />
        <CustomerPicker
          value={filters.customer_id}
          onChange={(v) => update({ customer_id: v || undefined })}
          placeholder={t('ticket.customer')}
          style={{ minWidth: 200 }}
          data-testid="ticket-filter-customer"
        />
        <Select
          allowClear
          placeholder={t('ticket.breachedFilter')}
          value={filters.breached === undefined ? undefined : String(filters.breached)}
          onChange={(v?: string) => update({ breached: v === undefined ? undefined : v === 'true' })}
          options={[
            { value: 'true', label: t('ticket.breachedOnly') },
            { value: 'false', label: t('ticket.notBreached') },
          ]}
          style={{ minWidth: 150 }}
          data-testid="ticket-filter-breached"
        />
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          value={range}
          placeholder={[t('ticket.dueFrom'), t('ticket.dueTo')]}
          onChange={(v) => update({ due_from: v?.[0]?.format('YYYY-MM-DD') ?? undefined, due_to: v?.[1]?.format('YYYY-MM-DD') ?? undefined })}
          data-testid="ticket-filter-due"
        />
      </div>
      <Table<Ticket>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={rows}
        loading={list.isFetching && !list.isFetchingNextPage}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t(`ticket.empty.${filters.view}`) }}
        rowClassName={(x) => ticketRowProps(x, now).className ?? ''}
        onRow={(x) => ticketRowProps(x, now).attrs}
        data-testid="ticket-table"
      />
      <div style={{ textAlign: 'center', marginTop: 16 }}>
        {list.hasNextPage ? (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} data-testid="load-more">{t('common.loadMore')}</Button>
        ) : (
          rows.length > 0 && <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
        )}
      </div>
    </div>
  );
}
