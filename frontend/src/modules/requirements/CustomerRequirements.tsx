import { useMemo } from 'react';
import { App, Button, Space } from 'antd';
import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import type { Requirement } from '../../api/types';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
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
  const navigate = useNavigate();
  const { message } = App.useApp();
  const filters = useMemo(() => ({ ...emptyRequirementFilters(), customer_id: customerId }), [customerId]);
  const list = useRequirementList(filters, 20, can(me, 'requirements', 'read'));
  const columns = useRequirementColumns();
  const exportDoc = useExportDocument();
  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div data-testid="customer-requirements">
      <Space style={{ marginBottom: 12 }} wrap>
        {can(me, 'requirements', 'create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(`/requirements/new?customer_id=${encodeURIComponent(customerId)}`)} data-testid="customer-new-requirement">
            {t('requirement.create')}
          </Button>
        )}
        <Button
          icon={<DownloadOutlined />}
          loading={exportDoc.isPending}
          onClick={() => exportDoc.mutate({ customer_id: customerId }, { onError: (e) => void message.error(problemText(e)) })}
          data-testid="customer-export-requirements"
        >
          {t('requirement.exportDocument')}
        </Button>
      </Space>
      <CursorTable<Requirement>
        query={list}
        compact
        columns={columns}
        locale={{ emptyText: t('requirement.noneForCustomer') }}
        data-testid="customer-requirement-table"
      />
    </div>
  );
}
