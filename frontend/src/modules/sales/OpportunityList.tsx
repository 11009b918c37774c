import { Button, Select } from 'antd';
import type { TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import type { Opportunity } from '../../api/types';
import { formatDate, formatDateTime, formatMoney } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { CustomerPicker } from '../../ui/CustomerPicker';
import {
  activeOpportunityFilterCount, OPPORTUNITY_SORTS, opportunityFiltersToQuery, opportunityFiltersToSearch, parseOpportunityFilters, 
  type OpportunitySort,
} from './filters';
import { OpportunityStageTag } from './labels';
import { useOpportunityList } from './useOpportunities';
import { ExportButton } from '../../ui/ExportButton';
import { orderedStages, usePipelines } from './usePipelines';
import { useUrlFilters } from '../../ui/useUrlFilters';
import { CursorTable, cursorTotal, TotalBadge } from '../../ui/CursorTable';
import { DayRangeFilter, FilterBar, OwnerFilter, TeamFilter } from '../../ui/FilterBar';

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

/** The record fields the table's columns show, in their order, for the export. */
const OPPORTUNITY_EXPORT_COLUMNS = ['name', 'customer_name', 'stage', 'amount', 'effective_probability', 'weighted_amount_minor', 'expected_close_date', 'owner_name', 'updated_at'];

export default function OpportunityList() {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { filters, update, reset, field, dayRange } = useUrlFilters(parseOpportunityFilters, opportunityFiltersToSearch);
  const list = useOpportunityList(filters);
  const pipelines = usePipelines();
  const columns = useOpportunityColumns();
  const pipeline = pipelines.data?.find((p) => p.id === filters.pipeline_id);

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;

  return (
    <div>
      <FilterBar
        data-testid="opportunity-filters"
        search={{ value: filters.q, onChange: (q) => update({ q }), placeholder: t('opportunity.searchPlaceholder'), width: 220, 'data-testid': 'opportunity-search' }}
        activeCount={activeOpportunityFilterCount(filters)}
        onClear={reset}
        extra={
          <>
            <TotalBadge total={cursorTotal(list)} data-testid="opportunity-total" />
            <ExportButton path="/api/v1/opportunities/export" query={opportunityFiltersToQuery(filters)} columns={OPPORTUNITY_EXPORT_COLUMNS} data-testid="opportunity-export" />
            {can(me, 'sales', 'create') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/sales/opportunities/new')} data-testid="opportunity-new">
                {t('opportunity.create')}
              </Button>
            )}
          </>
        }
      >
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
        <OwnerFilter {...field('owner_id')} placeholder={t('opportunity.owner')} data-testid="filter-owner" />
        <TeamFilter {...field('team_id')} placeholder={t('opportunity.team')} data-testid="filter-team" />
        <DayRangeFilter {...dayRange('expected_close_from', 'expected_close_to')} placeholder={[t('opportunity.closeFrom'), t('opportunity.closeTo')]} data-testid="filter-close" />
        <Select<OpportunitySort>
          {...field('sort')}
          options={OPPORTUNITY_SORTS.map((s) => ({ value: s, label: t(`opportunity.sort.${SORT_LABELS[s]}`) }))}
          style={{ width: 150 }}
          aria-label={t('opportunity.sortBy')}
          data-testid="filter-sort"
        />
      </FilterBar>
      <CursorTable<Opportunity>
        query={list}
        columns={columns}
        data-testid="opportunity-table"
      />
    </div>
  );
}
