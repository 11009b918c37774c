import { Empty } from 'antd';
import { useTranslation } from 'react-i18next';
import { can } from '../../app/permissions';
import type { Opportunity } from '../../api/types';
import { CustomerTabList } from '../../ui/CustomerTabList';
import { useMe } from '../auth/useSession';
import { DEFAULT_OPPORTUNITY_SORT } from './filters';
import { useOpportunityColumns } from './OpportunityList';
import { useOpportunityList } from './useOpportunities';

/** The customer page's opportunities tab: its deals and a "new opportunity" preset with the customer. */
export function CustomerOpportunities({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const readable = can(me, 'sales', 'read');
  const list = useOpportunityList({ customer_id: customerId, sort: DEFAULT_OPPORTUNITY_SORT }, 20, readable);
  const columns = useOpportunityColumns(false);

  if (!readable) return <Empty description={t('common.forbidden')} />;
  return (
    <CustomerTabList<Opportunity>
      customerId={customerId}
      query={list}
      create={can(me, 'sales', 'create') && { label: t('opportunity.create'), path: '/sales/opportunities/new', 'data-testid': 'customer-new-opportunity' }}
      columns={columns}
      emptyText={t('opportunity.noneForCustomer')}
      testId="customer-opportunities"
      tableTestId="customer-opportunity-table"
    />
  );
}
