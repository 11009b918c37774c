import { useState } from 'react';
import { App, Button, Input, Typography } from 'antd';
import { ArrowLeftOutlined, UndoOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Customer } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { problemText } from '../../ui/problemText';
import { StageTag } from './labels';
import { useRecycleBin, useRestoreCustomer } from './useCustomers';

export default function RecycleBin() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [q, setQ] = useState<string>();
  const bin = useRecycleBin(q);
  const restore = useRestoreCustomer();
  const { message } = App.useApp();

  if (bin.isError) return <ErrorResult error={bin.error} onRetry={() => void bin.refetch()} />;
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/customers')} aria-label={t('common.back')} />
          {t('customers.recycleBin')}
        </Typography.Title>
        <Input.Search allowClear placeholder={t('customers.searchPlaceholder')} onSearch={(v) => setQ(v.trim() || undefined)} style={{ maxWidth: 280 }} data-testid="bin-search" />
      </div>
      <CursorTable<Customer>
        query={bin}
        data-testid="bin-table"
        columns={[
          { title: t('customer.name'), dataIndex: 'name' },
          { title: t('customer.stage'), dataIndex: 'lifecycle_stage', render: (_: unknown, c: Customer) => <StageTag stage={c.lifecycle_stage} /> },
          { title: t('customer.owner'), dataIndex: 'owner_name' },
          { title: t('customers.deletedAt'), dataIndex: 'updated_at', render: (_: unknown, c: Customer) => formatDateTime(c.updated_at, i18n.language) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, c: Customer) => (
              <Button
                size="small"
                icon={<UndoOutlined />}
                loading={restore.isPending && restore.variables === c.id}
                data-testid="restore"
                onClick={() =>
                  restore.mutate(c.id, {
                    onSuccess: (r) => {
                      void message.success(t('customer.restored'));
                      navigate(`/customers/${r.id}`);
                    },
                    onError: (e) => void message.error(problemText(e, i18n)),
                  })
                }
              >
                {t('customers.restore')}
              </Button>
            ),
          },
        ]}
      />
    </div>
  );
}
