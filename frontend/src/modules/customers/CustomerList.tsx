import { useState } from 'react';
import { Button, Checkbox, Popover, Select, Space, Typography } from 'antd';
import type { TableProps } from 'antd';
import { DeleteOutlined, PlusOutlined, SettingOutlined, UploadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import { LIFECYCLE_STAGES, VALUE_TIERS, type Customer, type CustomField } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { PhoneLink } from '../../ui/PhoneLink';
import { PersonalValue } from '../../ui/PersonalValue';
import { useMe } from '../auth/useSession';
import { activeFilterCount, customSortKey, DEFAULT_SORT, filtersToQuery, filtersToSearch, parseFilters, withKnownCustomFields, type CustomerFilters, type Sort } from './filters';
import { StageTag } from './labels';
import { DuplicatesLink } from './duplicates/DuplicatesLink';
import { useCustomerList } from './useCustomers';
import { CursorTable, cursorTotal, TotalBadge, useCursorRows } from '../../ui/CursorTable';
import { DayRangeFilter, EnumFilter, EnumMultiFilter, FilterBar, FlagFilter, OwnerFilter, TeamFilter, TextFilter } from '../../ui/FilterBar';
import { CustomFieldValue } from '../customFields/CustomFieldValues';
import { useCustomFields } from '../customFields/useCustomFields';
import { fieldLabel, filterable, sortable } from '../customFields/values';
import { storedCustomFields } from './CustomerForm';
import { useUrlFilters } from '../../ui/useUrlFilters';
import { ExportButton } from '../../ui/ExportButton';
import { useUsers } from '../settings/useUsers';
import { csvColumns, useCustomerSelection } from './bulk';
import { BulkToolbar } from './BulkToolbar';

const COLUMN_KEYS = ['name', 'lifecycle_stage', 'kind', 'industry', 'region', 'phone', 'email', 'value_tier', 'tags', 'owner_name', 'team_name', 'last_interaction_at', 'created_at', 'updated_at'] as const;
type ColumnKey = (typeof COLUMN_KEYS)[number];
/** A custom field's column: `cf.<key>`. */
type CustomColumnKey = `cf.${string}`;
type AnyColumnKey = ColumnKey | CustomColumnKey;
const DEFAULT_COLUMNS: AnyColumnKey[] = ['name', 'lifecycle_stage', 'industry', 'region', 'phone', 'owner_name', 'created_at'];
const COLUMNS_STORAGE = 'crm.customers.columns';

const isColumnKey = (c: unknown): c is AnyColumnKey =>
  typeof c === 'string' && ((COLUMN_KEYS as readonly string[]).includes(c) || /^cf\.[a-z][a-z0-9_]{0,39}$/.test(c));

function loadColumns(): AnyColumnKey[] {
  try {
    const raw = JSON.parse(localStorage.getItem(COLUMNS_STORAGE) ?? 'null') as unknown;
    if (Array.isArray(raw)) {
      const cols = raw.filter(isColumnKey);
      if (cols.length > 0) return cols;
    }
  } catch {
    // fall through to the default columns
  }
  return DEFAULT_COLUMNS;
}

/** The record fields a column shows, for the export: the region is three, a custom field its value. */
function exportedFields(key: AnyColumnKey): string[] {
  if (key === 'region') return ['province', 'city', 'district'];
  if (key.startsWith('cf.')) return [`custom_fields.${key.slice(3)}`];
  return [key];
}

const SORTABLE: Partial<Record<ColumnKey, string>> = { name: 'name', created_at: 'created_at', updated_at: 'updated_at' };

/** A custom field's filter in the bar: any of its options, yes or no, or a range of days. */
function CustomFieldFilter({ field, filters, onChange }: { field: CustomField; filters: CustomerFilters; onChange: (cf: Record<string, string | undefined>) => void }) {
  const { t, i18n } = useTranslation();
  const label = fieldLabel(field, i18n.language);
  const param = `cf.${field.key}`;
  const value = filters.cf?.[param];
  const testId = `filter-cf-${field.key}`;
  if (field.field_type === 'bool') {
    return (
      <FlagFilter
        value={value === 'true' ? true : value === 'false' ? false : undefined}
        onChange={(v) => onChange({ [param]: v === undefined ? undefined : String(v) })}
        yes={`${label}: ${t('customField.yes')}`}
        no={`${label}: ${t('customField.no')}`}
        placeholder={label}
        data-testid={testId}
      />
    );
  }
  if (field.field_type === 'date') {
    return (
      <DayRangeFilter
        from={filters.cf?.[`${param}_from`]}
        to={filters.cf?.[`${param}_to`]}
        onChange={(from, to) => onChange({ [`${param}_from`]: from, [`${param}_to`]: to })}
        placeholder={[label, label]}
        data-testid={testId}
      />
    );
  }
  return (
    <Select<string[]>
      mode="multiple"
      allowClear
      placeholder={label}
      value={value ? value.split(',') : []}
      onChange={(v) => onChange({ [param]: v.length > 0 ? v.join(',') : undefined })}
      options={field.options.map((o) => ({ value: o.value, label: fieldLabel(o, i18n.language) }))}
      style={{ minWidth: 160 }}
      data-testid={testId}
    />
  );
}

export default function CustomerList() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { filters, update, reset, field, dayRange } = useUrlFilters(parseFilters, filtersToSearch);
  const [columns, setColumns] = useState<AnyColumnKey[]>(loadColumns);
  const customFields = useCustomFields('customers');
  const inUse = (customFields.data ?? []).filter((f) => !f.retired);
  // a custom field's filter or sort waits for the fields, so one the organisation no longer has is dropped, not refused
  const needsFields = filters.cf !== undefined || customSortKey(filters.sort) !== undefined;
  const sent = customFields.data ? withKnownCustomFields(filters, customFields.data.map((f) => f.key)) : needsFields ? filters : withKnownCustomFields(filters, []);
  const list = useCustomerList(sent, 50, !needsFields || customFields.data !== undefined || customFields.isError);
  const total = cursorTotal(list);
  const lang = i18n.language;
  const loadedRows = useCursorRows(list);
  const selection = useCustomerSelection();
  const canSelect = can(me, 'customers', 'update') || can(me, 'customers', 'delete') || can(me, 'customers', 'export');

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

  const sortField = sent.sort.replace(/^-/, '');
  const sortOrder: 'descend' | 'ascend' = sent.sort.startsWith('-') ? 'descend' : 'ascend';
  const customColumns: Record<CustomColumnKey, NonNullable<TableProps<Customer>['columns']>[number]> = Object.fromEntries(
    inUse.map((f) => [
      `cf.${f.key}`,
      { title: fieldLabel(f, lang), key: `cf.${f.key}`, render: (_: unknown, c: Customer) => <CustomFieldValue field={f} value={storedCustomFields(c)[f.key]} /> },
    ]),
  );
  /** The sort a column orders by: the list's own, or `cf.<key>` for a custom field whose type sorts. */
  const sortKeyOf = (k: string): string | undefined => {
    if (k in SORTABLE) return SORTABLE[k as ColumnKey];
    const field = inUse.find((f) => `cf.${f.key}` === k);
    return field && sortable(field) ? k : undefined;
  };
  const shownKeys: AnyColumnKey[] = [...COLUMN_KEYS.filter((k) => columns.includes(k)), ...inUse.map((f) => `cf.${f.key}` as CustomColumnKey).filter((k) => columns.includes(k))];
  // a user custom field's CSV cell names the user, as its column does
  const users = useUsers({}, canSelect && can(me, 'users', 'read') && inUse.some((f) => f.field_type === 'user' && shownKeys.includes(`cf.${f.key}`)));
  const tableColumns = shownKeys.map((k) => {
    const col = { ...(k in allColumns ? allColumns[k as ColumnKey] : customColumns[k as CustomColumnKey]), key: k };
    const sortKey = sortKeyOf(k);
    if (sortKey) return { ...col, sorter: true, sortOrder: sortField === sortKey ? sortOrder : null };
    return col;
  });

  const selectedCsvColumns = csvColumns(shownKeys, (k) => (k in allColumns ? String(allColumns[k as ColumnKey].title) : String(customColumns[k as CustomColumnKey]?.title ?? k)), {
    t,
    language: lang,
    fields: inUse,
    userName: (id) => users.data?.find((u) => u.id === id)?.display_name ?? (me?.id === id ? me.display_name : id),
  });

  const onTableChange: TableProps<Customer>['onChange'] = (_p, _f, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    const key = s?.columnKey ? sortKeyOf(String(s.columnKey)) : undefined;
    if (!key || !s?.order) {
      update({ sort: DEFAULT_SORT });
      return;
    }
    update({ sort: (s.order === 'descend' ? `-${key}` : key) as Sort });
  };

  const setColumnChoice = (cols: AnyColumnKey[]) => {
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
                onChange={(v) => setColumnChoice(v as AnyColumnKey[])}
                options={[
                  ...COLUMN_KEYS.map((k) => ({ value: k, label: allColumns[k].title as string, disabled: k === 'name' })),
                  ...inUse.map((f) => ({ value: `cf.${f.key}`, label: fieldLabel(f, lang) })),
                ]}
                data-testid="column-choices"
              />
            }
          >
            <Button icon={<SettingOutlined />} data-testid="column-chooser">{t('customers.columns')}</Button>
          </Popover>
          <ExportButton path="/api/v1/customers/export" query={filtersToQuery(sent)} columns={shownKeys.flatMap(exportedFields)} data-testid="customer-export" />
          <DuplicatesLink />
          {can(me, 'customers', 'delete') && (
            <Button icon={<DeleteOutlined />} onClick={() => navigate('/customers/recycle-bin')} data-testid="recycle-bin-link">
              {t('customers.recycleBin')}
            </Button>
          )}
          {can(me, 'customers', 'create') && (
            <Button icon={<UploadOutlined />} onClick={() => navigate('/customers/import')} data-testid="customer-import">
              {t('customerImport.action')}
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
        {inUse.filter((f) => filterable(f) || f.field_type === 'date').map((f) => (
          <CustomFieldFilter
            key={f.key}
            field={f}
            filters={filters}
            onChange={(change) => {
              const cf = { ...filters.cf, ...change };
              for (const [name, value] of Object.entries(cf)) if (value === undefined) delete cf[name];
              update({ cf: cf as Record<string, string> });
            }}
          />
        ))}
      </FilterBar>
      {canSelect && <BulkToolbar selection={selection} loaded={loadedRows} columns={selectedCsvColumns} />}
      <CursorTable<Customer>
        query={list}
        columns={tableColumns}
        rowSelection={canSelect ? selection.rowSelection : undefined}
        onChange={onTableChange}
        data-testid="customer-table"
      />
    </div>
  );
}
