import { Button } from 'antd';
import type { TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import { ORDER_STATUSES, type Order } from '../../api/types';
import { formatDate, formatMoney } from '../../i18n/format';
import { CursorTable, cursorTotal, TotalBadge } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { DayRangeFilter, EnumMultiFilter, FilterBar } from '../../ui/FilterBar';
import { useMe } from '../auth/useSession';
import { OrderStatusTag } from './labels';
import { orderFiltersToQuery, orderFiltersToSearch, parseOrderFilters } from './filters';
import { ExportButton } from '../../ui/ExportButton';
import { useOrderList } from './useOrders';
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

/** The record fields the table's columns show, in their order, for the export. */
const ORDER_EXPORT_COLUMNS = ['number', 'customer_name', 'order_date', 'status', 'total', 'owner_name'];

export default function OrderList() {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { filters, update, field, dayRange } = useUrlFilters(parseOrderFilters, orderFiltersToSearch);
  const list = useOrderList(filters);
  const columns = useOrderColumns();

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div>
      <FilterBar
        data-testid="order-filters"
        search={{ value: filters.q, onChange: (q) => update({ q }), placeholder: t('order.searchPlaceholder'), width: 220, 'data-testid': 'order-search' }}
        extra={
          <>
            <TotalBadge total={cursorTotal(list)} />
            <ExportButton path="/api/v1/orders/export" query={orderFiltersToQuery(filters)} columns={ORDER_EXPORT_COLUMNS} data-testid="order-export" />
            {can(me, 'sales', 'create') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/sales/orders/new')} data-testid="order-new">{t('order.create')}</Button>
            )}
          </>
        }
      >
        <EnumMultiFilter values={ORDER_STATUSES} labelKey="orderStatus" placeholder={t('order.status')} {...field('status')} width={200} data-testid="order-filter-status" />
        <DayRangeFilter {...dayRange('order_date_from', 'order_date_to')} placeholder={[t('order.dateFrom'), t('order.dateTo')]} data-testid="order-filter-date" />
      </FilterBar>
      <CursorTable<Order>
        query={list}
        columns={columns}
        data-testid="order-table"
      />
    </div>
  );
}
