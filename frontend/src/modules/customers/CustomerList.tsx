import { useState } from 'react';
import { Button, Checkbox, Popover, Space, Typography } from 'antd';
import type { TableProps } from 'antd';
import { DeleteOutlined, PlusOutlined, SettingOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import { LIFECYCLE_STAGES, VALUE_TIERS, type Customer } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { PhoneLink } from '../../ui/PhoneLink';
import { PersonalValue } from '../../ui/PersonalValue';
import { useMe } from '../auth/useSession';
import { activeFilterCount, DEFAULT_SORT, filtersToSearch, parseFilters, type Sort } from './filters';
import { StageTag } from './labels';
import { DuplicatesLink } from './duplicates/DuplicatesLink';
import { useCustomerList } from './useCustomers';
import { CursorTable, cursorTotal, TotalBadge } from '../../ui/CursorTable';
import { DayRangeFilter, EnumFilter, EnumMultiFilter, FilterBar, OwnerFilter, TeamFilter, TextFilter } from '../../ui/FilterBar';
import { useUrlFilters } from '../../ui/useUrlFilters';

const COLUMN_KEYS = ['name', 'lifecycle_stage', 'kind', 'industry', 'region', 'phone', 'email', 'value_tier', 'tags', 'owner_name', 'team_name', 'last_interaction_at', 'created_at', 'updated_at'] as const;
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
  const { filters, update, reset, field, dayRange } = useUrlFilters(parseFilters, filtersToSearch);
  const [columns, setColumns] = useState<ColumnKey[]>(loadColumns);
  const list = useCustomerList(filters);
  const total = cursorTotal(list);
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
    phone: {
      title: t('customer.phone'),
      dataIndex: 'phone',
      render: (_: unknown, c: Customer) => <PersonalValue kind="customer" record={c} field="phone" render={(p) => <PhoneLink value={p} />} data-testid="customer-row-phone" />,
    },
    email: {
      title: t('customer.email'),
      dataIndex: 'email',
      render: (_: unknown, c: Customer) => <PersonalValue kind="customer" record={c} field="email" data-testid="customer-row-email" />,
    },
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

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;

  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>
          {t('nav.customers')}{' '}
          <TotalBadge total={total} data-testid="customer-total" />
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
          <DuplicatesLink />
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
      <FilterBar
        data-testid="customer-filters"
        search={{ value: filters.q, onChange: (q) => update({ q }), placeholder: t('customers.searchPlaceholder'), width: 320, 'data-testid': 'customer-search' }}
        activeCount={activeFilterCount(filters)}
        onClear={reset}
        foldOnPhone
      >
        <EnumMultiFilter values={LIFECYCLE_STAGES} labelKey="stage" placeholder={t('customer.stage')} {...field('lifecycle_stage')} width={200} data-testid="filter-stage" />
        <OwnerFilter {...field('owner_id')} placeholder={t('customer.owner')} onlyMine={t('customers.onlyMine')} data-testid="filter-owner" />
        <TeamFilter {...field('team_id')} placeholder={t('customer.team')} width={180} data-testid="filter-team" />
        <TextFilter {...field('industry')} placeholder={t('customer.industry')} data-testid="filter-industry" />
        <TextFilter {...field('region')} placeholder={t('customer.region')} data-testid="filter-region" />
        <TextFilter {...field('tag')} placeholder={t('customer.tag')} data-testid="filter-tag" />
        <TextFilter {...field('id_number')} placeholder={t('customers.idNumberFilter')} data-testid="filter-id-number" />
        <EnumFilter values={VALUE_TIERS} labelKey="tier" placeholder={t('customer.valueTier')} {...field('value_tier')} data-testid="filter-tier" />
        <DayRangeFilter {...dayRange('created_at_from', 'created_at_to')} placeholder={[t('customers.createdFrom'), t('customers.createdTo')]} data-testid="filter-created" />
      </FilterBar>
      <CursorTable<Customer>
        query={list}
        columns={tableColumns}
        onChange={onTableChange}
        data-testid="customer-table"
      />
    </div>
  );
}
