import { Button, Table, Typography } from 'antd';
import { ArrowLeftOutlined, UploadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { formatDateTime, formatNumber } from '../../../i18n/format';
import { LoadMore, useCursorRows } from '../../../ui/CursorTable';
import { useDocumentTitle } from '../../../ui/documentTitle';
import { ErrorResult } from '../../../ui/ErrorResult';
import { ImportStatusTag } from './ImportWizard';
import { useImportList, type Import } from './useImports';

/** 导入记录: the caller's imports (an administrator's: everyone's), newest first, each reopened at its step. */
export default function ImportHistory() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  useDocumentTitle(t('customerImport.historyTitle'), t('nav.customers'));
  const navigate = useNavigate();
  const list = useImportList();
  const rows = useCursorRows(list);
  const n = (v: number) => formatNumber(v, lang);

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/customers')} aria-label={t('common.back')} />
          {t('customerImport.historyTitle')}
        </Typography.Title>
        <Button type="primary" icon={<UploadOutlined />} onClick={() => navigate('/customers/import')} data-testid="import-new">
          {t('customerImport.new')}
        </Button>
      </div>
      <Table<Import>
        rowKey="id"
        size="middle"
        pagination={false}
        loading={list.isPending}
        dataSource={rows}
        locale={{ emptyText: t('customerImport.historyEmpty') }}
        data-testid="import-history"
        onRow={(imp) => ({ 'data-testid': 'import-history-row', 'data-import-id': imp.id }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            key: 'file',
            title: t('customerImport.fileName'),
            render: (_: unknown, imp: Import) => <Link to={`/customers/import/${imp.id}`} data-testid="import-history-open">{imp.file_name}</Link>,
          },
          { key: 'status', title: t('customerImport.statusLabel'), render: (_: unknown, imp: Import) => <ImportStatusTag status={imp.status} /> },
          { key: 'rows', title: t('customerImport.rows'), align: 'right', render: (_: unknown, imp: Import) => n(imp.rows_total) },
          { key: 'created', title: t('customerImport.were.created'), align: 'right', render: (_: unknown, imp: Import) => n(imp.created) },
          { key: 'updated', title: t('customerImport.were.updated'), align: 'right', render: (_: unknown, imp: Import) => n(imp.updated) },
          { key: 'skipped', title: t('customerImport.were.skipped'), align: 'right', render: (_: unknown, imp: Import) => n(imp.skipped) },
          { key: 'failed', title: t('customerImport.were.failed'), align: 'right', render: (_: unknown, imp: Import) => n(imp.failed) },
          { key: 'created_at', title: t('customerImport.uploadedAt'), render: (_: unknown, imp: Import) => formatDateTime(imp.created_at, lang) },
        ]}
      />
      <LoadMore query={list} shown={rows.length} end data-testid="import-history-more" />
    </div>
  );
}
