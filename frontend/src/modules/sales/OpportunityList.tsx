import { useMemo, useState } from 'react';
import { Badge, Button, DatePicker, Input, Select, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import type { Opportunity } from '../../api/types';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { useOwnerOptions, useTeamOptions } from '../../ui/useOptions';
import {
  activeOpportunityFilterCount, OPPORTUNITY_SORTS, opportunityFiltersToSearch, parseOpportunityFilters, 
  type OpportunitySort,
} from './filters';
import { OpportunityStageTag } from './labels';
import { useOpportunityList } from './useOpportunities';
import { orderedStages, usePipelines } from './usePipelines';
import { useUrlFilters } from '../../ui/useUrlFilters';

export const SORT_LABELS: Record<OpportunitySort, string> = { '-updated_at': 'updated', '-created_at': 'newest', created_at: 'oldest', name: 'name' };

/** The columns every opportunity table shows (the customer tab leaves out the customer). */
export function useOpportunityColumns(withCustomer = true): NonNullable<TableProps<Opportunity>['columns']> {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return [
    {
      title: t('opportunity.name'),
      key: 'name',
      render: (_: unknown, o: Opportunity) => <Link to={`/sales/opportunities/${o.id}`} data-testid="opportunity-row-link">{o.name}</Link>,
    },
    ...(withCustomer
      ? [{ title: t('opportunity.customer'), key: 'customer', render: (_: unknown, o: Opportunity) => <Link to={`/customers/${o.customer_id}`}>{o.customer_name}</Link> }]
      : []),
    { title: t('opportunity.stage'), key: 'stage', render: (_: unknown, o: Opportunity) => <OpportunityStageTag stage={o.stage} /> },
    { title: t('opportunity.amount'), key: 'amount', align: 'right' as const, render: (_: unknown, o: Opportunity) => formatMoney(o.amount, lang) },
    { title: t('opportunity.probability'), key: 'probability', align: 'right' as const, render: (_: unknown, o: Opportunity) => `${o.effective_probability}%` },
    {
      title: t('opportunity.weightedAmount'),
      key: 'weighted',
      align: 'right' as const,
      render: (_: unknown, o: Opportunity) => formatMoney({ amount_minor: o.weighted_amount_minor, currency: o.amount.currency }, lang),
    },
    { title: t('opportunity.expectedClose'), key: 'close', render: (_: unknown, o: Opportunity) => formatDate(o.expected_close_date, lang) },
    { title: t('opportunity.owner'), dataIndex: 'owner_name', key: 'owner' },
    { title: t('customer.updatedAt'), key: 'updated', render: (_: unknown, o: Opportunity) => formatDateTime(o.updated_at, lang) },
  ];
}

export default function OpportunityList() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { filters, update, reset } = useUrlFilters(parseOpportunityFilters, opportunityFiltersToSearch);
  const [qDraft, setQDraft] = useState(filters.q ?? '');
  const list = useOpportunityList(filters);
  const pipelines = usePipelines();
  const owners = useOwnerOptions();
  const teams = useTeamOptions();
  const columns = useOpportunityColumns();
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;
  const pipeline = pipelines.data?.find((p) => p.id === filters.pipeline_id);
  const range: [dayjs.Dayjs | null, dayjs.Dayjs | null] | null =
    filters.expected_close_from || filters.expected_close_to
      ? [filters.expected_close_from ? dayjs(filters.expected_close_from) : null, filters.expected_close_to ? dayjs(filters.expected_close_to) : null]
      : null;

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;

  return (
    <div>
      <div className="filter-bar" data-testid="opportunity-filters">
        <Input.Search
          allowClear
          placeholder={t('opportunity.searchPlaceholder')}
          value={qDraft}
          onChange={(e) => setQDraft(e.target.value)}
          onSearch={(v) => update({ q: v.trim() || undefined })}
          style={{ width: 220 }}
          data-testid="opportunity-search"
        />
        <CustomerPicker value={filters.customer_id} onChange={(id) => update({ customer_id: id })} style={{ width: 220 }} data-testid="filter-customer" />
        <Select
          allowClear
          placeholder={t('board.pipeline')}
          value={filters.pipeline_id}
          onChange={(v?: string) => update({ pipeline_id: v, stage_id: undefined })}
          options={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          style={{ width: 180 }}
          data-testid="filter-pipeline"
        />
        <Select
          allowClear
          disabled={!pipeline}
          placeholder={t('opportunity.stage')}
          value={filters.stage_id}
          onChange={(v?: string) => update({ stage_id: v })}
          options={orderedStages(pipeline).map((s) => ({ value: s.id, label: s.name }))}
          style={{ width: 160 }}
          data-testid="filter-opportunity-stage"
        />
        {owners.enabled && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('opportunity.owner')}
            value={filters.owner_id}
            onChange={(v?: string) => update({ owner_id: v })}
            options={owners.options}
            style={{ width: 200 }}
            data-testid="filter-owner"
          />
        )}
        <Select allowClear placeholder={t('opportunity.team')} value={filters.team_id} onChange={(v?: string) => update({ team_id: v })} options={teams.options} style={{ width: 160 }} data-testid="filter-team" />
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          value={range}
          placeholder={[t('opportunity.closeFrom'), t('opportunity.closeTo')]}
          onChange={(v) =>
            update({ expected_close_from: v?.[0]?.format('YYYY-MM-DD') ?? undefined, expected_close_to: v?.[1]?.format('YYYY-MM-DD') ?? undefined })
          }
          data-testid="filter-close"
        />
        <Select<OpportunitySort>
          value={filters.sort}
          onChange={(sort) => update({ sort })}
          options={OPPORTUNITY_SORTS.map((s) => ({ value: s, label: t(`opportunity.sort.${SORT_LABELS[s]}`) }))}
          style={{ width: 150 }}
          aria-label={t('opportunity.sortBy')}
          data-testid="filter-sort"
        />
        {activeOpportunityFilterCount(filters) > 0 && (
          <Button
            type="link"
            onClick={() => {
              setQDraft('');
              reset();
            }}
            data-testid="filter-clear"
          >
            {t('customers.clearFilters')}
          </Button>
        )}
        <span style={{ marginLeft: 'auto', display: 'flex', gap: 8, alignItems: 'center', minWidth: 0 }}>
          {total !== undefined && total !== null && (
            <Badge count={formatNumber(total, i18n.language)} color="#8c8c8c" overflowCount={Number.MAX_SAFE_INTEGER} data-testid="opportunity-total" />
          )}
          {can(me, 'sales', 'create') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/sales/opportunities/new')} data-testid="opportunity-new">
              {t('opportunity.create')}
            </Button>
          )}
        </span>
      </div>
      <Table<Opportunity>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={rows}
        loading={list.isFetching && !list.isFetchingNextPage}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="opportunity-table"
      />
      <div style={{ textAlign: 'center', marginTop: 16 }}>
        {list.hasNextPage ? (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} data-testid="load-more">
            {t('common.loadMore')}
          </Button>
        ) : (
          rows.length > 0 && <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
        )}
      </div>
    </div>
  );
}
