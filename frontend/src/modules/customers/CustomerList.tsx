import { useMemo, useState } from 'react';
import { Badge, Button, Checkbox, DatePicker, Grid, Input, Popover, Select, Space, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import { DeleteOutlined, FilterOutlined, PlusOutlined, SettingOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import { LIFECYCLE_STAGES, VALUE_TIERS, type Customer } from '../../api/types';
import { formatDateTime, formatNumber } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { PhoneLink } from '../../ui/PhoneLink';
import { useMe } from '../auth/useSession';
import { activeFilterCount, DEFAULT_SORT, filtersToSearch, parseFilters, type CustomerFilters, type Sort } from './filters';
import { StageTag } from './labels';
import { useCustomerList } from './useCustomers';
import { useOwnerOptions, useTeamOptions } from '../../ui/useOptions';
import { useUrlFilters } from '../../ui/useUrlFilters';

const COLUMN_KEYS = ['name', 'lifecycle_stage', 'kind', 'industry', 'region', 'phone', 'value_tier', 'tags', 'owner_name', 'team_name', 'last_interaction_at', 'created_at', 'updated_at'] as const;
type ColumnKey = (typeof COLUMN_KEYS)[number];
const DEFAULT_COLUMNS: ColumnKey[] = ['name', 'lifecycle_stage', 'industry', 'region', 'phone', 'owner_name', 'created_at'];
const COLUMNS_STORAGE = 'crm.customers.columns';

function loadColumns(): ColumnKey[] {
  try {
    const raw = JSON.parse(localStorage.getItem(COLUMNS_STORAGE) ?? 'null') as unknown;
    if (Array.isArray(raw)) {
      const cols = raw.filter((c): c is ColumnKey => (COLUMN_KEYS as readonly string[]).includes(c as string));
      if (cols.length > 0) return cols;
    }
  } catch {
    // fall through to the default columns
  }
  return DEFAULT_COLUMNS;
}

const SORTABLE: Partial<Record<ColumnKey, string>> = { name: 'name', created_at: 'created_at', updated_at: 'updated_at' };

export default function CustomerList() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { filters, update, reset } = useUrlFilters(parseFilters, filtersToSearch);
  const [qDraft, setQDraft] = useState(filters.q ?? '');
  const [columns, setColumns] = useState<ColumnKey[]>(loadColumns);
  const list = useCustomerList(filters);
  const owners = useOwnerOptions();
  const teams = useTeamOptions();
  // On a phone the filters fold away behind a button so the list stays in view.
  const isMobile = Grid.useBreakpoint().md === false;
  const [filtersOpen, setFiltersOpen] = useState(false);
  const showFilters = !isMobile || filtersOpen;

  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;
  const lang = i18n.language;

  const allColumns: Record<ColumnKey, NonNullable<TableProps<Customer>['columns']>[number]> = {
    name: {
      title: t('customer.name'),
      dataIndex: 'name',
      render: (_: unknown, c: Customer) => <Link to={`/customers/${c.id}`} data-testid="customer-row-link">{c.name}</Link>,
    },
    lifecycle_stage: { title: t('customer.stage'), dataIndex: 'lifecycle_stage', render: (_: unknown, c: Customer) => <StageTag stage={c.lifecycle_stage} /> },
    kind: { title: t('customer.kind'), dataIndex: 'kind', render: (_: unknown, c: Customer) => t(`kind.${c.kind}`) },
    industry: { title: t('customer.industry'), dataIndex: 'industry' },
    region: {
      title: t('customer.region'),
      key: 'region',
      render: (_: unknown, c: Customer) => [c.province, c.city, c.district].filter(Boolean).join(' / '),
    },
    phone: { title: t('customer.phone'), dataIndex: 'phone', render: (_: unknown, c: Customer) => <PhoneLink value={c.phone} /> },
    value_tier: { title: t('customer.valueTier'), dataIndex: 'value_tier', render: (_: unknown, c: Customer) => (c.value_tier ? t(`tier.${c.value_tier}`) : '') },
    tags: { title: t('customer.tags'), dataIndex: 'tags', render: (_: unknown, c: Customer) => c.tags.join(', ') },
    owner_name: { title: t('customer.owner'), dataIndex: 'owner_name' },
    team_name: { title: t('customer.team'), dataIndex: 'team_name' },
    last_interaction_at: {
      title: t('customer.lastInteractionAt'),
      dataIndex: 'last_interaction_at',
      render: (_: unknown, c: Customer) => formatDateTime(c.last_interaction_at, lang),
    },
    created_at: { title: t('customer.createdAt'), dataIndex: 'created_at', render: (_: unknown, c: Customer) => formatDateTime(c.created_at, lang) },
    updated_at: { title: t('customer.updatedAt'), dataIndex: 'updated_at', render: (_: unknown, c: Customer) => formatDateTime(c.updated_at, lang) },
  };

  const sortField = filters.sort.replace(/^-/, '');
  const sortOrder: 'descend' | 'ascend' = filters.sort.startsWith('-') ? 'descend' : 'ascend';
  const tableColumns = COLUMN_KEYS.filter((k) => columns.includes(k)).map((k) => {
    const col = { ...allColumns[k], key: k };
    const sortKey = SORTABLE[k];
    if (sortKey) return { ...col, sorter: true, sortOrder: sortField === sortKey ? sortOrder : null };
    return col;
  });

  const onTableChange: TableProps<Customer>['onChange'] = (_p, _f, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    const key = s?.columnKey ? SORTABLE[s.columnKey as ColumnKey] : undefined;
    if (!key || !s?.order) {
      update({ sort: DEFAULT_SORT });
      return;
    }
    update({ sort: (s.order === 'descend' ? `-${key}` : key) as Sort });
  };

  const setColumnChoice = (cols: ColumnKey[]) => {
    setColumns(cols);
    localStorage.setItem(COLUMNS_STORAGE, JSON.stringify(cols));
  };

  const range: [dayjs.Dayjs | null, dayjs.Dayjs | null] | null =
    filters.created_at_from || filters.created_at_to
      ? [filters.created_at_from ? dayjs(filters.created_at_from) : null, filters.created_at_to ? dayjs(filters.created_at_to) : null]
      : null;

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;

  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>
          {t('nav.customers')}{' '}
          {total !== undefined && total !== null && <Badge count={formatNumber(total, lang)} color="#8c8c8c" overflowCount={Number.MAX_SAFE_INTEGER} data-testid="customer-total" />}
        </Typography.Title>
        <Space wrap>
          <Popover
            trigger="click"
            title={t('customers.columns')}
            content={
              <Checkbox.Group
                style={{ display: 'grid', gap: 4 }}
                value={columns}
                onChange={(v) => setColumnChoice(v as ColumnKey[])}
                options={COLUMN_KEYS.map((k) => ({ value: k, label: allColumns[k].title as string, disabled: k === 'name' }))}
              />
            }
          >
            <Button icon={<SettingOutlined />} data-testid="column-chooser">{t('customers.columns')}</Button>
          </Popover>
          {can(me, 'customers', 'delete') && (
            <Button icon={<DeleteOutlined />} onClick={() => navigate('/customers/recycle-bin')} data-testid="recycle-bin-link">
              {t('customers.recycleBin')}
            </Button>
          )}
          {can(me, 'customers', 'create') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/customers/new')} data-testid="customer-new">
              {t('customer.create')}
            </Button>
          )}
        </Space>
      </div>
      <div className="filter-bar" data-testid="customer-filters">
        <Input.Search
          allowClear
          placeholder={t('customers.searchPlaceholder')}
          value={qDraft}
          onChange={(e) => setQDraft(e.target.value)}
          onSearch={(v) => update({ q: v.trim() || undefined })}
          style={{ width: 240 }}
          data-testid="customer-search"
        />
        {isMobile && (
          <Button icon={<FilterOutlined />} onClick={() => setFiltersOpen((o) => !o)} data-testid="filter-toggle">
            {t('customers.filters')} {activeFilterCount(filters) > 0 ? `(${activeFilterCount(filters)})` : ''}
          </Button>
        )}
        {showFilters && (
        <>
        <Select
          mode="multiple"
          allowClear
          placeholder={t('customer.stage')}
          value={filters.lifecycle_stage}
          onChange={(v) => update({ lifecycle_stage: v })}
          options={LIFECYCLE_STAGES.map((s) => ({ value: s, label: t(`stage.${s}`) }))}
          style={{ minWidth: 200 }}
          data-testid="filter-stage"
        />
        {owners.enabled ? (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('customer.owner')}
            value={filters.owner_id}
            onChange={(v?: string) => update({ owner_id: v })}
            options={owners.options}
            style={{ width: 200 }}
            data-testid="filter-owner"
          />
        ) : (
          <Checkbox checked={filters.owner_id === me?.id} onChange={(e) => update({ owner_id: e.target.checked ? me?.id : undefined })}>
            {t('customers.onlyMine')}
          </Checkbox>
        )}
        <Select allowClear placeholder={t('customer.team')} value={filters.team_id} onChange={(v?: string) => update({ team_id: v })} options={teams.options} style={{ width: 180 }} data-testid="filter-team" />
        <Input.Search key={`industry-${filters.industry ?? ''}`} allowClear placeholder={t('customer.industry')} defaultValue={filters.industry} onSearch={(v) => update({ industry: v.trim() || undefined })} style={{ width: 180 }} data-testid="filter-industry" />
        <Input.Search key={`region-${filters.region ?? ''}`} allowClear placeholder={t('customer.region')} defaultValue={filters.region} onSearch={(v) => update({ region: v.trim() || undefined })} style={{ width: 180 }} data-testid="filter-region" />
        <Input.Search key={`tag-${filters.tag ?? ''}`} allowClear placeholder={t('customer.tag')} defaultValue={filters.tag} onSearch={(v) => update({ tag: v.trim() || undefined })} style={{ width: 180 }} data-testid="filter-tag" />
        <Select
          allowClear
          placeholder={t('customer.valueTier')}
          value={filters.value_tier}
          onChange={(v?: CustomerFilters['value_tier']) => update({ value_tier: v })}
          options={VALUE_TIERS.map((v) => ({ value: v, label: t(`tier.${v}`) }))}
          style={{ width: 140 }}
          data-testid="filter-tier"
        />
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          value={range}
          placeholder={[t('customers.createdFrom'), t('customers.createdTo')]}
          onChange={(v) =>
            update({ created_at_from: v?.[0]?.format('YYYY-MM-DD') ?? undefined, created_at_to: v?.[1]?.format('YYYY-MM-DD') ?? undefined })
          }
          data-testid="filter-created"
        />
        </>
        )}
        {activeFilterCount(filters) > 0 && (
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
      </div>
      <Table<Customer>
        rowKey="id"
        size="middle"
        columns={tableColumns}
        dataSource={rows}
        loading={list.isFetching && !list.isFetchingNextPage}
        pagination={false}
        onChange={onTableChange}
        scroll={{ x: 'max-content' }}
        data-testid="customer-table"
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
