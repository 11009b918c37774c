import { App, Button, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Link } from 'react-router';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, type AuditEntry } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { DayRangeFilter, EnumFilter, FilterBar, UserFilter } from '../../ui/FilterBar';
import { useUrlFilters } from '../../ui/useUrlFilters';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { activeAuditFilterCount, auditFiltersToSearch, parseAuditFilters, useAuditLog, useExportAudit } from './useAudit';

const known = (values: readonly string[], v: string) => values.includes(v);

/** An action's name in the UI's language; one this version does not know, as the server wrote it. */
export function auditActionLabel(t: TFunction, action: string): string {
  return known(AUDIT_ACTIONS, action) ? t(`audit.action.${action}`) : action;
}

/** A kind of record's name in the UI's language; one this version does not know, as the server wrote it. */
export function auditEntityLabel(t: TFunction, entityType: string): string {
  return known(AUDIT_ENTITY_TYPES, entityType) ? t(`audit.entity.${entityType}`) : entityType;
}

/** Where a kind of record is shown, for those with a page of their own. */
const RECORD_PAGES: Record<string, (id: string) => string> = {
  customer: (id) => `/customers/${id}`,
  opportunity: (id) => `/sales/opportunities/${id}`,
  order: (id) => `/sales/orders/${id}`,
  ticket: (id) => `/service/tickets/${id}`,
  kb_article: (id) => `/service/kb/articles/${id}`,
  requirement: (id) => `/requirements/${id}`,
};

function RecordId({ entry }: { entry: AuditEntry }) {
  const short = entry.entity_id.slice(0, 8);
  // A list export names the export itself, not a record to open.
  const page = entry.action === 'export' ? undefined : RECORD_PAGES[entry.entity_type];
  return (
    <Tooltip title={entry.entity_id}>
      {page ? (
        <Link to={page(entry.entity_id)} data-testid="audit-record">
          <Typography.Text code>{short}</Typography.Text>
        </Link>
      ) : (
        <Typography.Text code data-testid="audit-record">
          {short}
        </Typography.Text>
      )}
    </Tooltip>
  );
}

interface Pair {
  old: unknown;
  new: unknown;
}

function isPair(v: unknown): v is Pair {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && keys.includes('old') && keys.includes('new');
}

/** A changed value as text: strings as they are, nothing as a dash, anything else as JSON. */
function valueText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Where a kind of record's field names are translated (`customer.phone`, `portalAccount.email`). */
const FIELD_LABELS: Record<string, string> = { customer: 'customer', contact: 'contact', portal_account: 'portalAccount' };

/** A record's field as the record's own form names it; one without a name, as the server wrote it. */
function fieldLabel(t: TFunction, exists: (key: string) => boolean, entityType: string, field: string): string {
  const prefix = FIELD_LABELS[entityType];
  const key = prefix ? `${prefix}.${field}` : '';
  return prefix && exists(key) ? (t(key) as string) : field;
}

/** The personal fields a reveal showed in clear (`{fields: ["phone", …]}`), by their names. */
function RevealedFields({ fields, entityType }: { fields: unknown[]; entityType: string }) {
  const { t, i18n } = useTranslation();
  return (
    <Space wrap data-testid="audit-revealed-fields">
      <Typography.Text type="secondary">{t('audit.revealedFields')}</Typography.Text>
      {fields.map((f) => (
        <Tag key={String(f)}>{fieldLabel(t, (key) => i18n.exists(key), entityType, String(f))}</Tag>
      ))}
    </Space>
  );
}

/**
 * What an entry changed: for a reveal the personal fields it showed; for an update (`{field: {old, new}}`) a table of the fields, before and
 * after, where notes beside the fields (a secret rotated, the API key acting) show as "after";
 * for anything else (a whole record on create, a session ended) the JSON, pretty-printed.
 */
export function AuditChanges({ changes, action, entityType = '' }: { changes: unknown; action?: string; entityType?: string }) {
  const { t } = useTranslation();
  const isObject = typeof changes === 'object' && changes !== null && !Array.isArray(changes);
  const fields = isObject ? (changes as { fields?: unknown }).fields : undefined;
  if (action === 'reveal' && Array.isArray(fields)) return <RevealedFields fields={fields} entityType={entityType} />;
  if (isObject && Object.keys(changes).length === 0) {
    return <Typography.Text type="secondary">{t('audit.noChanges')}</Typography.Text>;
  }
  const entries = isObject ? Object.entries(changes as Record<string, unknown>) : [];
  if (entries.some(([, v]) => isPair(v))) {
    const rows = entries.map(([field, v]) => (isPair(v) ? { field, old: v.old, new: v.new } : { field, old: undefined, new: v }));
    return (
      <Table
        size="small"
        rowKey="field"
        pagination={false}
        dataSource={rows}
        data-testid="audit-changes"
        columns={[
          { title: t('audit.field'), dataIndex: 'field', render: (f: string) => <Typography.Text code>{f}</Typography.Text> },
          { title: t('audit.old'), key: 'old', render: (_: unknown, r: (typeof rows)[number]) => <span className="audit-value">{valueText(r.old)}</span> },
          { title: t('audit.new'), key: 'new', render: (_: unknown, r: (typeof rows)[number]) => <span className="audit-value">{valueText(r.new)}</span> },
        ]}
      />
    );
  }
  return (
    <pre className="audit-json" data-testid="audit-changes-json">
      {JSON.stringify(changes, null, 2)}
    </pre>
  );
}

/** Who did what and when: the audit log with its filters in the URL, each entry's changes, and an export. */
export function AuditTab() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { filters, reset, field, dayRange } = useUrlFilters(parseAuditFilters, auditFiltersToSearch);
  const log = useAuditLog(filters);
  const exporter = useExportAudit();
  const exportFailed = useWriteFailed();

  if (log.isError && !log.data) return <ErrorResult error={log.error} onRetry={() => void log.refetch()} />;
  return (
    <div>
      <Typography.Paragraph type="secondary">{t('audit.intro')}</Typography.Paragraph>
      <FilterBar
        data-testid="audit-filters"
        activeCount={activeAuditFilterCount(filters)}
        onClear={reset}
        foldOnPhone
        extra={
          <Button
            icon={<DownloadOutlined />}
            loading={exporter.isPending}
            onClick={() =>
              exporter.mutate(filters, {
                onSuccess: (file) => void message.success(t('audit.exported', { file })),
                onError: exportFailed,
              })
            }
            data-testid="audit-export"
          >
            {t('audit.exportCsv')}
          </Button>
        }
      >
        <UserFilter {...field('actor_id')} placeholder={t('audit.actor')} data-testid="audit-filter-actor" />
        <EnumFilter values={AUDIT_ENTITY_TYPES} labelKey="audit.entity" placeholder={t('audit.entityLabel')} width={160} {...field('entity_type')} data-testid="audit-filter-entity" />
        <EnumFilter values={AUDIT_ACTIONS} labelKey="audit.action" placeholder={t('audit.actionLabel')} width={160} {...field('action')} data-testid="audit-filter-action" />
        <DayRangeFilter {...dayRange('from', 'to')} placeholder={[t('audit.from'), t('audit.to')]} data-testid="audit-filter-dates" />
      </FilterBar>
      <CursorTable<AuditEntry>
        query={log}
        data-testid="audit-table"
        expandable={{ expandedRowRender: (e) => <AuditChanges changes={e.changes} action={e.action} entityType={e.entity_type} /> }}
        columns={[
          { title: t('audit.time'), key: 'time', render: (_: unknown, e: AuditEntry) => formatDateTime(e.created_at, i18n.language) },
          {
            title: t('audit.actor'),
            key: 'actor',
            render: (_: unknown, e: AuditEntry) =>
              e.actor_id ? (e.actor_name ?? e.actor_id.slice(0, 8)) : <Typography.Text type="secondary">{t('audit.system')}</Typography.Text>,
          },
          { title: t('audit.actionLabel'), key: 'action', render: (_: unknown, e: AuditEntry) => <span data-testid="audit-action">{auditActionLabel(t, e.action)}</span> },
          { title: t('audit.entityLabel'), key: 'entity', render: (_: unknown, e: AuditEntry) => auditEntityLabel(t, e.entity_type) },
          { title: t('audit.recordId'), key: 'record', render: (_: unknown, e: AuditEntry) => <RecordId entry={e} /> },
          { title: t('audit.ip'), key: 'ip', render: (_: unknown, e: AuditEntry) => e.ip ?? '—' },
        ]}
      />
    </div>
  );
}
