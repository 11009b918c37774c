import { Button, Empty } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import type { Opportunity } from '../../api/types';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { DEFAULT_OPPORTUNITY_SORT } from './filters';
import { useOpportunityColumns } from './OpportunityList';
import { useOpportunityList } from './useOpportunities';

/** The customer page's opportunities tab: its deals and a "new opportunity" preset with the customer. */
export function CustomerOpportunities({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const readable = can(me, 'sales', 'read');
  const list = useOpportunityList({ customer_id: customerId, sort: DEFAULT_OPPORTUNITY_SORT }, 20, readable);
  const columns = useOpportunityColumns(false);

  if (!readable) return <Empty description={t('common.forbidden')} />;
  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div data-testid="customer-opportunities">
      {can(me, 'sales', 'create') && (
        <Button
          type="primary"
          icon={<PlusOutlined />}
          style={{ marginBottom: 12 }}
          onClick={() => navigate(`/sales/opportunities/new?customer_id=${encodeURIComponent(customerId)}`)}
          data-testid="customer-new-opportunity"
        >
          {t('opportunity.create')}
        </Button>
      )}
      <CursorTable<Opportunity>
        query={list}
        compact
        columns={columns}
        locale={{ emptyText: t('opportunity.noneForCustomer') }}
        data-testid="customer-opportunity-table"
      />
    </div>
  );
}
