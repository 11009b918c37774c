import { Button } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import type { Ticket } from '../../api/types';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { ticketRowProps, useTicketColumns } from './TicketQueue';
import { useNow } from './useNow';
import { useTicketList } from './useTickets';

/** The customer page's tickets tab (服务请求): all of the customer's tickets and a "new ticket" preset with it. */
export function CustomerTickets({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const now = useNow();
  const list = useTicketList({ view: 'all', customer_id: customerId, status: [], priority: [], kind: [] }, 20, can(me, 'service', 'read'));
  const columns = useTicketColumns(false);
  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div data-testid="customer-tickets">
      {can(me, 'service', 'create') && (
        <Button
          type="primary"
          icon={<PlusOutlined />}
          style={{ marginBottom: 12 }}
          onClick={() => navigate(`/service/tickets/new?customer_id=${encodeURIComponent(customerId)}`)}
          data-testid="customer-new-ticket"
        >
          {t('ticket.create')}
        </Button>
      )}
      <CursorTable<Ticket>
        query={list}
        compact
        columns={columns}
        locale={{ emptyText: t('ticket.noneForCustomer') }}
        rowClassName={(x) => ticketRowProps(x, now).className ?? ''}
        onRow={(x) => ticketRowProps(x, now).attrs}
        data-testid="customer-ticket-table"
      />
    </div>
  );
}
