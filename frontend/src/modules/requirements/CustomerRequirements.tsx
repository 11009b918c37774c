import { useMemo } from 'react';
import { App, Button } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { can } from '../../app/permissions';
import type { Requirement } from '../../api/types';
import { CustomerTabList } from '../../ui/CustomerTabList';
import { useProblemText } from '../../ui/problemText';
import { useMe } from '../auth/useSession';
import { emptyRequirementFilters } from './filters';
import { useRequirementColumns } from './RequirementList';
import { useExportDocument, useRequirementList } from './useRequirements';

/** The customer page's 需求 tab: what the customer asked for, a new one preset with it, and its requirements document. */
export function CustomerRequirements({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const problemText = useProblemText();
  const me = useMe().data;
  const { message } = App.useApp();
  const filters = useMemo(() => ({ ...emptyRequirementFilters(), customer_id: customerId }), [customerId]);
  const list = useRequirementList(filters, 20, can(me, 'requirements', 'read'));
  const columns = useRequirementColumns();
  const exportDoc = useExportDocument();
  return (
    <CustomerTabList<Requirement>
      customerId={customerId}
      query={list}
      create={can(me, 'requirements', 'create') && { label: t('requirement.create'), path: '/requirements/new', 'data-testid': 'customer-new-requirement' }}
      actions={
        <Button
          icon={<DownloadOutlined />}
          loading={exportDoc.isPending}
          onClick={() => exportDoc.mutate({ customer_id: customerId }, { onError: (e) => void message.error(problemText(e)) })}
          data-testid="customer-export-requirements"
        >
          {t('requirement.exportDocument')}
        </Button>
      }
      columns={columns}
      emptyText={t('requirement.noneForCustomer')}
      testId="customer-requirements"
      tableTestId="customer-requirement-table"
    />
  );
}
