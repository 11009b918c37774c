import { Button, Select, Typography } from 'antd';
import type { TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import {
  REQUIREMENT_CATEGORIES, REQUIREMENT_SORTS, REQUIREMENT_SOURCES, REQUIREMENT_STATUSES, type Requirement, type RequirementSort,
} from '../../api/types';
import { formatDate, formatNumber } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { useMe } from '../auth/useSession';
import { parseRequirementFilters, requirementFiltersToSearch } from './filters';
import { CategoryTag, RequirementStatusTag, ScoreBadge } from './labels';
import { useReleases, useRequirementList } from './useRequirements';
import { useUrlFilters } from '../../ui/useUrlFilters';
import { CursorTable, cursorTotal, TotalBadge } from '../../ui/CursorTable';
import { EnumMultiFilter, FilterBar, OwnerFilter, TeamFilter, TextFilter } from '../../ui/FilterBar';

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
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { filters, update, field } = useUrlFilters(parseRequirementFilters, requirementFiltersToSearch);
  const list = useRequirementList(filters);
  const columns = useRequirementColumns();
  const releases = useReleases();

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div>
      <FilterBar
        data-testid="requirement-filters"
        search={{ value: filters.q, onChange: (q) => update({ q }), placeholder: t('requirement.searchPlaceholder'), width: 220, 'data-testid': 'requirement-search' }}
        extra={
          <>
            <TotalBadge total={cursorTotal(list)} data-testid="requirement-total" />
            {can(me, 'requirements', 'create') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/requirements/new')} data-testid="requirement-new">
                {t('requirement.create')}
              </Button>
            )}
          </>
        }
      >
        <EnumMultiFilter values={REQUIREMENT_STATUSES} labelKey="requirementStatus" placeholder={t('requirement.status')} {...field('status')} data-testid="requirement-filter-status" />
        <EnumMultiFilter values={REQUIREMENT_CATEGORIES} labelKey="requirementCategory" placeholder={t('requirement.category')} {...field('category')} width={140} data-testid="requirement-filter-category" />
        <EnumMultiFilter values={REQUIREMENT_SOURCES} labelKey="requirementSource" placeholder={t('requirement.source')} {...field('source_channel')} width={140} data-testid="requirement-filter-source" />
        <OwnerFilter {...field('owner_id')} placeholder={t('requirement.owner')} width={140} data-testid="requirement-filter-owner" />
        <TeamFilter {...field('team_id')} placeholder={t('requirement.team')} width={140} data-testid="requirement-filter-team" />
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
        <TextFilter {...field('tag')} placeholder={t('requirement.tag')} width={140} data-testid="requirement-filter-tag" />
        <Select<RequirementSort>
          {...field('sort')}
          options={REQUIREMENT_SORTS.map((s) => ({ value: s, label: t(`requirement.sort.${s.slice(1)}`) }))}
          style={{ minWidth: 150 }}
          data-testid="requirement-sort"
        />
      </FilterBar>
      <CursorTable<Requirement>
        query={list}
        columns={columns}
        locale={{ emptyText: t('requirement.empty') }}
        onRow={(x) => ({ 'data-status': x.status }) as React.HTMLAttributes<HTMLElement>}
        data-testid="requirement-table"
      />
    </div>
  );
}
