import { useMemo, useState } from 'react';
import { Badge, Button, Input, Select, Space, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import {
  REQUIREMENT_CATEGORIES, REQUIREMENT_SORTS, REQUIREMENT_SOURCES, REQUIREMENT_STATUSES,
  type Requirement, type RequirementCategory, type RequirementSort, type RequirementSource, type RequirementStatus,
} from '../../api/types';
import { formatDate, formatNumber } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { useMe } from '../auth/useSession';
import { useOwnerOptions, useTeamOptions } from '../../ui/useOptions';
import { parseRequirementFilters, requirementFiltersToSearch } from './filters';
import { CategoryTag, RequirementStatusTag, ScoreBadge } from './labels';
import { useReleases, useRequirementList } from './useRequirements';
import { useUrlFilters } from '../../ui/useUrlFilters';

/** The list's columns; the customer page and the ticket page leave some out. */
export function useRequirementColumns(): NonNullable<TableProps<Requirement>['columns']> {
  const { t, i18n } = useTranslation();
  return [
    {
      title: t('requirement.number'),
      key: 'number',
      render: (_: unknown, x: Requirement) => <Link to={`/requirements/${x.id}`} data-testid="requirement-row-link">{x.number}</Link>,
    },
    { title: t('requirement.titleField'), key: 'title', render: (_: unknown, x: Requirement) => <Typography.Text ellipsis style={{ maxWidth: 360 }}>{x.title}</Typography.Text> },
    { title: t('requirement.score'), key: 'score', render: (_: unknown, x: Requirement) => <ScoreBadge score={x.score} /> },
    { title: t('requirement.requesters'), key: 'requester_count', render: (_: unknown, x: Requirement) => <span data-testid="requirement-requester-count">{formatNumber(x.requester_count, i18n.language)}</span> },
    { title: t('requirement.status'), key: 'status', render: (_: unknown, x: Requirement) => <RequirementStatusTag status={x.status} /> },
    { title: t('requirement.category'), key: 'category', render: (_: unknown, x: Requirement) => <CategoryTag category={x.category} /> },
    { title: t('requirement.owner'), key: 'owner', render: (_: unknown, x: Requirement) => x.owner_name ?? '—' },
    { title: t('requirement.release'), key: 'release', render: (_: unknown, x: Requirement) => x.release ?? '—' },
    { title: t('requirement.targetDate'), key: 'target_date', render: (_: unknown, x: Requirement) => (x.target_date ? formatDate(x.target_date, i18n.language) : '—') },
  ];
}

/** The requirement list (`/requirements/list`): ranked by score, filters and order in the URL, cursor "load more". */
export default function RequirementList() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { filters, update } = useUrlFilters(parseRequirementFilters, requirementFiltersToSearch);
  const [qDraft, setQDraft] = useState(filters.q ?? '');
  const [tagDraft, setTagDraft] = useState(filters.tag ?? '');
  const list = useRequirementList(filters);
  const columns = useRequirementColumns();
  const owners = useOwnerOptions();
  const teams = useTeamOptions();
  const releases = useReleases();
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div>
      <div className="filter-bar" data-testid="requirement-filters">
        <Input.Search
          allowClear
          placeholder={t('requirement.searchPlaceholder')}
          value={qDraft}
          onChange={(e) => setQDraft(e.target.value)}
          onSearch={(v) => update({ q: v.trim() || undefined })}
          style={{ width: 220 }}
          data-testid="requirement-search"
        />
        <Select<RequirementStatus[]>
          mode="multiple"
          allowClear
          placeholder={t('requirement.status')}
          value={filters.status}
          onChange={(status) => update({ status })}
          options={REQUIREMENT_STATUSES.map((s) => ({ value: s, label: t(`requirementStatus.${s}`) }))}
          style={{ minWidth: 160 }}
          data-testid="requirement-filter-status"
        />
        <Select<RequirementCategory[]>
          mode="multiple"
          allowClear
          placeholder={t('requirement.category')}
          value={filters.category}
          onChange={(category) => update({ category })}
          options={REQUIREMENT_CATEGORIES.map((c) => ({ value: c, label: t(`requirementCategory.${c}`) }))}
          style={{ minWidth: 140 }}
          data-testid="requirement-filter-category"
        />
        <Select<RequirementSource[]>
          mode="multiple"
          allowClear
          placeholder={t('requirement.source')}
          value={filters.source_channel}
          onChange={(source_channel) => update({ source_channel })}
          options={REQUIREMENT_SOURCES.map((s) => ({ value: s, label: t(`requirementSource.${s}`) }))}
          style={{ minWidth: 140 }}
          data-testid="requirement-filter-source"
        />
        {owners.enabled && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('requirement.owner')}
            value={filters.owner_id}
            onChange={(v?: string) => update({ owner_id: v || undefined })}
            options={owners.options}
            style={{ minWidth: 140 }}
            data-testid="requirement-filter-owner"
          />
        )}
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('requirement.team')}
          value={filters.team_id}
          onChange={(v?: string) => update({ team_id: v || undefined })}
          options={teams.options}
          loading={teams.loading}
          style={{ minWidth: 140 }}
          data-testid="requirement-filter-team"
        />
        <Select
          allowClear
          showSearch
          placeholder={t('requirement.release')}
          value={filters.release}
          onChange={(v?: string) => update({ release: v || undefined })}
          options={(releases.data ?? []).map((r) => ({ value: r.release, label: r.release }))}
          style={{ minWidth: 130 }}
          data-testid="requirement-filter-release"
        />
        <CustomerPicker
          value={filters.customer_id}
          onChange={(v) => update({ customer_id: v || undefined })}
          placeholder={t('requirement.customer')}
          style={{ minWidth: 180 }}
          data-testid="requirement-filter-customer"
        />
        <Input.Search
          allowClear
          placeholder={t('requirement.tag')}
          value={tagDraft}
          onChange={(e) => setTagDraft(e.target.value)}
          onSearch={(v) => update({ tag: v.trim() || undefined })}
          style={{ width: 140 }}
          data-testid="requirement-filter-tag"
        />
        <Select<RequirementSort>
          value={filters.sort}
          onChange={(sort) => update({ sort })}
          options={REQUIREMENT_SORTS.map((s) => ({ value: s, label: t(`requirement.sort.${s.slice(1)}`) }))}
          style={{ minWidth: 150 }}
          data-testid="requirement-sort"
        />
        <Space style={{ marginLeft: 'auto' }}>
          {total !== undefined && total !== null && (
            <Badge count={formatNumber(total, i18n.language)} color="#8c8c8c" overflowCount={Number.MAX_SAFE_INTEGER} data-testid="requirement-total" />
          )}
          {can(me, 'requirements', 'create') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/requirements/new')} data-testid="requirement-new">
              {t('requirement.create')}
            </Button>
          )}
        </Space>
      </div>
      <Table<Requirement>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={rows}
        loading={list.isFetching && !list.isFetchingNextPage}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('requirement.empty') }}
        onRow={(x) => ({ 'data-status': x.status }) as React.HTMLAttributes<HTMLElement>}
        data-testid="requirement-table"
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
