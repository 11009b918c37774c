import { useState } from 'react';
import { Badge, Button, Card, Space, Typography } from 'antd';
import { MergeCellsOutlined, WarningOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Customer } from '../../../api/types';
import { can } from '../../../app/permissions';
import { useMe } from '../../auth/useSession';
import { MergeWizard } from '../merge/MergeWizard';
import { CandidateFacts, CandidateLink, ReasonTags } from './parts';
import { useCustomerDuplicates } from './useDuplicates';

/** Whether the signed-in user may merge customers: update rights on the survivor, delete rights on the other. */
export function useCanMerge(): boolean {
  const me = useMe().data;
  return can(me, 'customers', 'update') && can(me, 'customers', 'delete');
}

/**
 * "Possible duplicates" on a customer's page, only when there are any: each with a way to merge it
 * into this customer through the merge wizard (for those who may merge).
 */
export function CustomerDuplicatesCard({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const duplicates = useCustomerDuplicates(customer.id);
  const canMerge = useCanMerge();
  const [merging, setMerging] = useState<string | undefined>(undefined);
  const found = duplicates.data ?? [];
  if (found.length === 0) return null;
  return (
    <Card
      size="small"
      data-testid="customer-duplicates"
      title={
        <Space>
          <WarningOutlined style={{ color: '#faad14' }} />
          {t('customerDuplicates.cardTitle')}
          <Badge count={found.length} color="#faad14" />
        </Space>
      }
    >
      <Space orientation="vertical" size={8} style={{ width: '100%' }}>
        {found.map((c) => (
          <Space key={c.id} wrap size={[8, 4]} data-testid="duplicate-candidate" style={{ justifyContent: 'space-between', width: '100%' }}>
            <Space wrap size={[8, 0]}>
              <CandidateLink candidate={c} />
              <CandidateFacts candidate={c} />
              <ReasonTags reasons={c.reasons} similarity={c.similarity} />
            </Space>
            {canMerge && (
              <Button size="small" icon={<MergeCellsOutlined />} onClick={() => setMerging(c.id)} data-testid={`duplicate-merge-${c.id}`}>
                {t('customerDuplicates.mergeInto')}
              </Button>
            )}
          </Space>
        ))}
        <Typography.Text type="secondary">{t('customerDuplicates.cardHelp')}</Typography.Text>
      </Space>
      {merging && <MergeWizard survivor={customer} otherId={merging} onClose={() => setMerging(undefined)} />}
    </Card>
  );
}
