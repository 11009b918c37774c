import { useMemo, useState } from 'react';
import { App, Badge, Button, Checkbox, DatePicker, Grid, Input, Popconfirm, Select, Space, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import { FilterOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { can } from '../../app/permissions';
import { isProblemError } from '../../api/problem';
import { CHANNELS, type Interaction } from '../../api/types';
import { formatDateTime, formatNumber } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { useContacts } from '../customers/useCustomers';
import { useOwnerOptions } from '../../ui/useOptions';
import { CustomerPicker } from '../../ui/CustomerPicker';
import {
  activeInteractionFilterCount, DEFAULT_INTERACTION_SORT, interactionFiltersToSearch, parseInteractionFilters, 
} from './filters';
import { InteractionModal } from './InteractionForm';
import { ChannelTag } from './labels';
import { useDeleteInteraction, useInteractionList, useRestoreInteraction } from './useInteractions';
import { useUrlFilters } from '../../ui/useUrlFilters';

/** Every logged call, visit, email… the role may read, filtered and searchable. */
export default function InteractionList() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const me = useMe().data;
  const { message } = App.useApp();
  const { filters, update, reset } = useUrlFilters(parseInteractionFilters, interactionFiltersToSearch);
  const [qDraft, setQDraft] = useState(filters.q ?? '');
  const list = useInteractionList(filters);
  const owners = useOwnerOptions();
  const contacts = useContacts(filters.customer_id ?? '', Boolean(filters.customer_id));
  const remove = useDeleteInteraction();
  const restore = useRestoreInteraction();
  const [dialog, setDialog] = useState<{ open: boolean; interaction: Interaction | null }>({ open: false, interaction: null });
  // On a phone the filters fold away behind a button so the list stays in view.
  const isMobile = Grid.useBreakpoint().md === false;
  const [filtersOpen, setFiltersOpen] = useState(false);
  const showFilters = !isMobile || filtersOpen;

  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;
  const canUpdate = can(me, 'activities', 'update');
  const canDelete = can(me, 'activities', 'delete');

  const range: [dayjs.Dayjs | null, dayjs.Dayjs | null] | null =
    filters.occurred_at_from || filters.occurred_at_to
      ? [filters.occurred_at_from ? dayjs(filters.occurred_at_from) : null, filters.occurred_at_to ? dayjs(filters.occurred_at_to) : null]
      : null;

  const onDelete = (i: Interaction) =>
    remove.mutate(i, {
      onSuccess: () => {
        const key = `interaction-deleted-${i.id}`;
        void message.success({
          key,
          duration: 6,
          content: (
            <span>
              {t('interaction.deleted')}{' '}
              <Button
                size="small"
                type="link"
                data-testid="interaction-undo"
                onClick={() => {
                  message.destroy(key);
                  restore.mutate(i.id, { onError: (e) => void message.error(e.message) });
                }}
              >
                {t('common.undo')}
              </Button>
            </span>
          ),
        });
      },
      onError: (e) => void message.error(isProblemError(e) && e.status === 412 ? t('stale.descriptionShort') : e.message),
    });

  const onTableChange: TableProps<Interaction>['onChange'] = (_p, _f, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    update({ sort: s?.order === 'ascend' ? 'occurred_at' : DEFAULT_INTERACTION_SORT });
  };

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;

  return (
    <div>
      <div className="page-head">
        <Typography.Title level={4}>
          {t('interaction.list')}{' '}
          {total !== undefined && total !== null && (
            <Badge count={formatNumber(total, lang)} color="#8c8c8c" overflowCount={Number.MAX_SAFE_INTEGER} data-testid="interaction-total" />
          )}
        </Typography.Title>
        {can(me, 'activities', 'create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ open: true, interaction: null })} data-testid="interaction-new">
            {t('interaction.log')}
          </Button>
        )}
      </div>
      <div className="filter-bar" data-testid="interaction-filters">
        <Input.Search
          allowClear
          placeholder={t('interaction.searchPlaceholder')}
          value={qDraft}
          onChange={(e) => setQDraft(e.target.value)}
          onSearch={(v) => update({ q: v.trim() || undefined })}
          style={{ width: 220 }}
          data-testid="interaction-search"
        />
        {isMobile && (
          <Button icon={<FilterOutlined />} onClick={() => setFiltersOpen((o) => !o)} data-testid="filter-toggle">
            {t('customers.filters')} {activeInteractionFilterCount(filters) > 0 ? `(${activeInteractionFilterCount(filters)})` : ''}
          </Button>
        )}
        {showFilters && (
        <>
        <CustomerPicker
          value={filters.customer_id}
          onChange={(v) => update({ customer_id: v, contact_id: undefined })}
          style={{ width: 220 }}
          data-testid="filter-customer"
        />
        <Select
          allowClear
          disabled={!filters.customer_id}
          placeholder={t('interaction.contact')}
          value={filters.contact_id}
          onChange={(v?: string) => update({ contact_id: v })}
          options={(contacts.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          style={{ width: 180 }}
          data-testid="filter-contact"
        />
        <Select
          mode="multiple"
          allowClear
          placeholder={t('interaction.channel')}
          value={filters.channel}
          onChange={(v) => update({ channel: v })}
          options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))}
          style={{ minWidth: 180 }}
          data-testid="filter-channel"
        />
        {owners.enabled ? (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('interaction.owner')}
            value={filters.owner_id}
            onChange={(v?: string) => update({ owner_id: v })}
            options={owners.options}
            style={{ width: 200 }}
            data-testid="filter-owner"
          />
        ) : (
          <Checkbox checked={filters.owner_id === me?.id} onChange={(e) => update({ owner_id: e.target.checked ? me?.id : undefined })}>
            {t('interaction.onlyMine')}
          </Checkbox>
        )}
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          value={range}
          placeholder={[t('interaction.occurredFrom'), t('interaction.occurredTo')]}
          onChange={(v) =>
            update({ occurred_at_from: v?.[0]?.format('YYYY-MM-DD') ?? undefined, occurred_at_to: v?.[1]?.format('YYYY-MM-DD') ?? undefined })
          }
          data-testid="filter-occurred"
        />
        </>
        )}
        {activeInteractionFilterCount(filters) > 0 && (
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
      <Table<Interaction>
        rowKey="id"
        size="middle"
        dataSource={rows}
        loading={list.isFetching && !list.isFetchingNextPage}
        pagination={false}
        onChange={onTableChange}
        scroll={{ x: 'max-content' }}
        data-testid="interaction-table"
        columns={[
          {
            title: t('interaction.occurredAt'),
            key: 'occurred_at',
            sorter: true,
            sortOrder: filters.sort === 'occurred_at' ? 'ascend' : 'descend',
            sortDirections: ['descend', 'ascend', 'descend'],
            render: (_: unknown, i: Interaction) => formatDateTime(i.occurred_at, lang),
          },
          { title: t('interaction.channel'), key: 'channel', render: (_: unknown, i: Interaction) => <ChannelTag channel={i.channel} /> },
          { title: t('interaction.direction'), key: 'direction', render: (_: unknown, i: Interaction) => t(`direction.${i.direction}`) },
          {
            title: t('interaction.subject'),
            key: 'subject',
            render: (_: unknown, i: Interaction) => (
              <Space orientation="vertical" size={0}>
                <Typography.Text strong data-testid="interaction-subject-cell">{i.subject}</Typography.Text>
                {i.content && <Typography.Text type="secondary" ellipsis style={{ maxWidth: 360 }}>{i.content}</Typography.Text>}
              </Space>
            ),
          },
          {
            title: t('activity.customer'),
            key: 'customer',
            render: (_: unknown, i: Interaction) => <Link to={`/customers/${i.customer_id}`}>{i.customer_name}</Link>,
          },
          { title: t('interaction.contact'), key: 'contact', render: (_: unknown, i: Interaction) => i.contact_name ?? '—' },
          { title: t('interaction.outcome'), key: 'outcome', render: (_: unknown, i: Interaction) => i.outcome ?? '—' },
          { title: t('interaction.nextStep'), key: 'next_step', render: (_: unknown, i: Interaction) => i.next_step ?? '—' },
          { title: t('interaction.owner'), key: 'owner', render: (_: unknown, i: Interaction) => i.owner_name ?? '—' },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, i: Interaction) => (
              <Space size={0}>
                {canUpdate && (
                  <Button size="small" type="link" onClick={() => setDialog({ open: true, interaction: i })} data-testid="interaction-edit">
                    {t('common.edit')}
                  </Button>
                )}
                {canDelete && (
                  <Popconfirm title={t('interaction.deleteConfirm')} okText={t('common.delete')} cancelText={t('common.cancel')} onConfirm={() => onDelete(i)}>
                    <Button size="small" type="link" danger data-testid="interaction-delete">
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
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
      <InteractionModal
        open={dialog.open}
        interaction={dialog.interaction}
        onClose={() => setDialog((d) => ({ ...d, open: false }))}
      />
    </div>
  );
}
