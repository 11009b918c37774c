import { useState } from 'react';
import { Button, Select, Space, Typography } from 'antd';
import type { TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { useUndoNotice } from '../../ui/UndoNotice';
import { can } from '../../app/permissions';
import { CHANNELS, type Interaction } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { useContacts } from '../customers/useCustomers';
import { CustomerPicker } from '../../ui/CustomerPicker';
import {
  activeInteractionFilterCount, DEFAULT_INTERACTION_SORT, interactionFiltersToQuery, interactionFiltersToSearch, parseInteractionFilters,
} from './filters';
import { ExportButton } from '../../ui/ExportButton';
import { InteractionModal } from './InteractionForm';
import { ChannelTag } from './labels';
import { useDeleteInteraction, useInteractionList, useRestoreInteraction } from './useInteractions';
import { useUrlFilters } from '../../ui/useUrlFilters';
import { CursorTable, cursorTotal, TotalBadge } from '../../ui/CursorTable';
import { DayRangeFilter, EnumMultiFilter, FilterBar, OwnerFilter } from '../../ui/FilterBar';

/** Every logged call, visit, email… the role may read, filtered and searchable. */
/** The record fields the table's columns show, in their order, for the export. */
const INTERACTION_EXPORT_COLUMNS = ['occurred_at', 'channel', 'direction', 'subject', 'content', 'customer_name', 'contact_name', 'outcome', 'next_step', 'owner_name'];

export default function InteractionList() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const me = useMe().data;
  const undoNotice = useUndoNotice();
  const writeFailed = useWriteFailed();
  const { filters, update, reset, field, dayRange } = useUrlFilters(parseInteractionFilters, interactionFiltersToSearch);
  const list = useInteractionList(filters);
  const contacts = useContacts(filters.customer_id ?? '', Boolean(filters.customer_id));
  const remove = useDeleteInteraction();
  const restore = useRestoreInteraction();
  const [dialog, setDialog] = useState<{ open: boolean; interaction: Interaction | null }>({ open: false, interaction: null });

  const total = cursorTotal(list);
  const canUpdate = can(me, 'activities', 'update');
  const canDelete = can(me, 'activities', 'delete');

  const onDelete = (i: Interaction) =>
    remove.mutate(i, {
      onSuccess: () =>
        undoNotice({
          key: `interaction-deleted-${i.id}`,
          text: t('interaction.deleted'),
          onUndo: () => restore.mutate(i.id, { onError: writeFailed }),
          'data-testid': 'interaction-undo',
        }),
      onError: writeFailed,
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
          <TotalBadge total={total} data-testid="interaction-total" />
        </Typography.Title>
        <Space wrap>
          <ExportButton path="/api/v1/interactions/export" query={interactionFiltersToQuery(filters)} columns={INTERACTION_EXPORT_COLUMNS} data-testid="interaction-export" />
          {can(me, 'activities', 'create') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ open: true, interaction: null })} data-testid="interaction-new">
              {t('interaction.log')}
            </Button>
          )}
        </Space>
      </div>
      <FilterBar
        data-testid="interaction-filters"
        search={{ value: filters.q, onChange: (q) => update({ q }), placeholder: t('interaction.searchPlaceholder'), width: 220, 'data-testid': 'interaction-search' }}
        activeCount={activeInteractionFilterCount(filters)}
        onClear={reset}
        foldOnPhone
      >
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
        <EnumMultiFilter values={CHANNELS} labelKey="channel" placeholder={t('interaction.channel')} {...field('channel')} width={180} data-testid="filter-channel" />
        <OwnerFilter {...field('owner_id')} placeholder={t('interaction.owner')} onlyMine={t('interaction.onlyMine')} data-testid="filter-owner" />
        <DayRangeFilter {...dayRange('occurred_at_from', 'occurred_at_to')} placeholder={[t('interaction.occurredFrom'), t('interaction.occurredTo')]} data-testid="filter-occurred" />
      </FilterBar>
      <CursorTable<Interaction>
        query={list}
        onChange={onTableChange}
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
                {canUpdate && <EditLink onClick={() => setDialog({ open: true, interaction: i })} data-testid="interaction-edit" />}
                {canDelete && <DeleteLink confirm={t('interaction.deleteConfirm')} onConfirm={() => onDelete(i)} data-testid="interaction-delete" />}
              </Space>
            ),
          },
        ]}
      />
      <InteractionModal
        open={dialog.open}
        interaction={dialog.interaction}
        onClose={() => setDialog((d) => ({ ...d, open: false }))}
      />
    </div>
  );
}
