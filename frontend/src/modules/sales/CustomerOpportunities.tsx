import { useMemo } from 'react';
import { Button, Empty, Table, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import type { Opportunity } from '../../api/types';
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
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);

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
      <Table<Opportunity>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={rows}
        loading={list.isFetching && !list.isFetchingNextPage}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('opportunity.noneForCustomer') }}
        data-testid="customer-opportunity-table"
      />
      {list.hasNextPage && (
        <div style={{ textAlign: 'center', marginTop: 8 }}>
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>{t('common.loadMore')}</Button>
        </div>
      )}
      {!list.hasNextPage && rows.length > 0 && (
        <Typography.Text type="secondary" style={{ display: 'block', textAlign: 'center', marginTop: 8 }}>{t('common.noMore')}</Typography.Text>
      )}
    </div>
  );
}
