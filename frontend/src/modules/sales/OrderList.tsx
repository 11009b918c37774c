import { useMemo, useState } from 'react';
import { Badge, Button, DatePicker, Input, Select, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../../api/types';
import { formatDate, formatMoney, formatNumber } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { OrderStatusTag } from './labels';
import { orderFiltersToSearch, parseOrderFilters, useOrderList } from './useOrders';
import { useUrlFilters } from '../../ui/useUrlFilters';

export function useOrderColumns(withCustomer = true): NonNullable<TableProps<Order>['columns']> {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return [
    { title: t('order.number'), key: 'number', render: (_: unknown, o: Order) => <Link to={`/sales/orders/${o.id}`} data-testid="order-row-link">{o.number}</Link> },
    ...(withCustomer
      ? [{ title: t('opportunity.customer'), key: 'customer', render: (_: unknown, o: Order) => <Link to={`/customers/${o.customer_id}`}>{o.customer_name}</Link> }]
      : []),
    { title: t('order.date'), key: 'date', render: (_: unknown, o: Order) => formatDate(o.order_date, lang) },
    { title: t('order.status'), key: 'status', render: (_: unknown, o: Order) => <OrderStatusTag status={o.status} /> },
    { title: t('order.total'), key: 'total', align: 'right' as const, render: (_: unknown, o: Order) => formatMoney(o.total, lang) },
    { title: t('opportunity.owner'), dataIndex: 'owner_name', key: 'owner' },
  ];
}

export default function OrderList() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { filters, update } = useUrlFilters(parseOrderFilters, orderFiltersToSearch);
  const [qDraft, setQDraft] = useState(filters.q ?? '');
  const list = useOrderList(filters);
  const columns = useOrderColumns();
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;
  const range: [dayjs.Dayjs | null, dayjs.Dayjs | null] | null =
    filters.order_date_from || filters.order_date_to
      ? [filters.order_date_from ? dayjs(filters.order_date_from) : null, filters.order_date_to ? dayjs(filters.order_date_to) : null]
      : null;

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div>
      <div className="filter-bar" data-testid="order-filters">
        <Input.Search
          allowClear
          placeholder={t('order.searchPlaceholder')}
          value={qDraft}
          onChange={(e) => setQDraft(e.target.value)}
          onSearch={(v) => update({ q: v.trim() || undefined })}
          style={{ width: 220 }}
          data-testid="order-search"
        />
        <Select<OrderStatus[]>
          mode="multiple"
          allowClear
          placeholder={t('order.status')}
          value={filters.status}
          onChange={(status) => update({ status })}
          options={ORDER_STATUSES.map((s) => ({ value: s, label: t(`orderStatus.${s}`) }))}
          style={{ minWidth: 200 }}
          data-testid="order-filter-status"
        />
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          value={range}
          placeholder={[t('order.dateFrom'), t('order.dateTo')]}
          onChange={(v) => update({ order_date_from: v?.[0]?.format('YYYY-MM-DD') ?? undefined, order_date_to: v?.[1]?.format('YYYY-MM-DD') ?? undefined })}
          data-testid="order-filter-date"
        />
        <span style={{ marginLeft: 'auto', display: 'flex', gap: 8, alignItems: 'center', minWidth: 0 }}>
          {total !== undefined && total !== null && <Badge count={formatNumber(total, i18n.language)} color="#8c8c8c" overflowCount={Number.MAX_SAFE_INTEGER} />}
          {can(me, 'sales', 'create') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/sales/orders/new')} data-testid="order-new">{t('order.create')}</Button>
          )}
        </span>
      </div>
      <Table<Order>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={rows}
        loading={list.isFetching && !list.isFetchingNextPage}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="order-table"
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
