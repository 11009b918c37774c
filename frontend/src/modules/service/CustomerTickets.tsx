import { useTranslation } from 'react-i18next';
import { can } from '../../app/permissions';
import type { Ticket } from '../../api/types';
import { CustomerTabList } from '../../ui/CustomerTabList';
import { useMe } from '../auth/useSession';
import { ticketRowProps, useTicketColumns } from './TicketQueue';
import { useNow } from './useNow';
import { useTicketList } from './useTickets';

/** The customer page's tickets tab (服务请求): all of the customer's tickets and a "new ticket" preset with it. */
export function CustomerTickets({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const now = useNow();
  const list = useTicketList({ view: 'all', customer_id: customerId, status: [], priority: [], kind: [] }, 20, can(me, 'service', 'read'));
  const columns = useTicketColumns(false);
  return (
    <CustomerTabList<Ticket>
      customerId={customerId}
      query={list}
      create={can(me, 'service', 'create') && { label: t('ticket.create'), path: '/service/tickets/new', 'data-testid': 'customer-new-ticket' }}
      columns={columns}
      emptyText={t('ticket.noneForCustomer')}
      rowClassName={(x) => ticketRowProps(x, now).className ?? ''}
      onRow={(x) => ticketRowProps(x, now).attrs}
      testId="customer-tickets"
      tableTestId="customer-ticket-table"
    />
  );
}
