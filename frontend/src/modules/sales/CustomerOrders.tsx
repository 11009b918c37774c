import { Button } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import type { Order } from '../../api/types';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { useOrderColumns } from './OrderList';
import { useOrderList } from './useOrders';

/** The customer page's orders tab: its purchase records and a "new order" preset with the customer. */
export function CustomerOrders({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const readable = can(me, 'sales', 'read');
  const list = useOrderList({ customer_id: customerId, status: [] }, 20, readable);
  const columns = useOrderColumns(false);
  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div data-testid="customer-orders">
      {can(me, 'sales', 'create') && (
        <Button
          type="primary"
          icon={<PlusOutlined />}
          style={{ marginBottom: 12 }}
          onClick={() => navigate(`/sales/orders/new?customer_id=${encodeURIComponent(customerId)}`)}
          data-testid="customer-new-order"
        >
          {t('order.create')}
        </Button>
      )}
      <CursorTable<Order>
        query={list}
        compact
        columns={columns}
        locale={{ emptyText: t('order.noneForCustomer') }}
        data-testid="customer-order-table"
      />
    </div>
  );
}
