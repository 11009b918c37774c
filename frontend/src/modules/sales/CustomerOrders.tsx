import { useTranslation } from 'react-i18next';
import { can } from '../../app/permissions';
import type { Order } from '../../api/types';
import { CustomerTabList } from '../../ui/CustomerTabList';
import { useMe } from '../auth/useSession';
import { useOrderColumns } from './OrderList';
import { useOrderList } from './useOrders';

/** The customer page's orders tab: its purchase records and a "new order" preset with the customer. */
export function CustomerOrders({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const readable = can(me, 'sales', 'read');
  const list = useOrderList({ customer_id: customerId, status: [] }, 20, readable);
  const columns = useOrderColumns(false);
  return (
    <CustomerTabList<Order>
      customerId={customerId}
      query={list}
      create={can(me, 'sales', 'create') && { label: t('order.create'), path: '/sales/orders/new', 'data-testid': 'customer-new-order' }}
      columns={columns}
      emptyText={t('order.noneForCustomer')}
      testId="customer-orders"
      tableTestId="customer-order-table"
    />
  );
}
