import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert, App, Button, Card, Col, Form, Input, Popconfirm, Progress, Radio, Row, Select, Space, Spin, Statistic, Steps, Table, Tag, Typography, Upload,
} from 'antd';
import { ArrowLeftOutlined, DownloadOutlined, HistoryOutlined, InboxOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { isProblemError, type FieldError } from '../../../api/problem';
import { formatNumber } from '../../../i18n/format';
import { LoadMore, useCursorRows } from '../../../ui/CursorTable';
import { useDocumentTitle } from '../../../ui/documentTitle';
import { ErrorResult } from '../../../ui/ErrorResult';
import { fieldErrorText, problemText } from '../../../ui/problemText';
import { customerKeys } from '../useCustomers';
import {
  ACCEPTED_FILES, DUPLICATE_HANDLINGS, IMPORT_STEPS, MATCH_KEYS, checkedCounts, draftChanged, draftOf, errorFieldKey, hasRun, importFieldLabel,
  isBusy, mappingErrorColumn, mapsExternalId, missingRequired, progressPercent, settingsOf, statusColor, stepOf,
  type Counts, type ImportPhase, type ImportStep, type MappingDraft,
} from './logic';
import {
  importKeys, useAllRunRows, useConfigureImport, useDownloadReport, useImport, useImportCommand, useImportFields, useImportRows, useUploadImport,
  type Import, type ImportField, type ImportRow, type ImportRowError,
} from './useImports';

/** The value of the "skip this column" choice (a Select cannot hold null). */
const SKIP = '__skip__';

/**
 * 导入客户: a wizard in four steps — choose a file (uploaded at once), map its columns to fields
 * and say how duplicates are handled, run a dry run and read what it would do, run the import
 * (with its progress, a cancel and a revert). `/customers/import/:id` reopens an import at the step
 * it has reached.
 */
export default function ImportWizard() {
  const { t } = useTranslation();
  useDocumentTitle(t('customerImport.title'), t('nav.customers'));
  const navigate = useNavigate();
  const { id } = useParams();
  const imp = useImport(id);
  // "back to the mapping" from a checked import, at the version it was checked at; a new dry run
  // (or any other change) moves the import on, and its status decides the step again
  const [backAt, setBackAt] = useState<number | null>(null);
  useFinishedRefresh(imp.data);

  const data = id ? imp.data : undefined;
  const step: ImportStep = data && data.status === 'checked' && backAt === data.version ? 'mapping' : stepOf(data);

  return (
    <div data-testid="import-wizard" data-step={step}>
      <div className="page-head">
        <Typography.Title level={3}>
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/customers')} aria-label={t('common.back')} />
          {t('customerImport.title')}
        </Typography.Title>
        <Space wrap>
          <Button icon={<HistoryOutlined />} onClick={() => navigate('/customers/imports')} data-testid="import-history-link">
            {t('customerImport.history')}
          </Button>
        </Space>
      </div>
      <Steps
        current={IMPORT_STEPS.indexOf(step)}
        status={data?.status === 'failed' ? 'error' : data?.status === 'completed' || data?.status === 'reverted' ? 'finish' : 'process'}
        style={{ marginBottom: 24 }}
        items={IMPORT_STEPS.map((s) => ({ title: t(`customerImport.steps.${s}`) }))}
        data-testid="import-steps"
      />
      {id && imp.isPending ? (
        <Spin />
      ) : id && imp.isError && !imp.data ? (
        <ErrorResult error={imp.error} onRetry={() => void imp.refetch()} />
      ) : !data ? (
        <FileStep onUploaded={(uploaded) => navigate(`/customers/import/${uploaded.id}`, { replace: true })} />
      ) : step === 'mapping' ? (
        <MappingStep key={data.id} imp={data} />
      ) : step === 'check' ? (
        <CheckStep imp={data} onBack={() => setBackAt(data.version)} />
      ) : (
        <RunStep imp={data} />
      )}
    </div>
  );
}

/** Once a run or a revert ends, the customer lists (and the rows) are read again: they changed. */
function useFinishedRefresh(imp: Import | undefined) {
  const qc = useQueryClient();
  const last = useRef<Import['status'] | undefined>(undefined);
  useEffect(() => {
    const before = last.current;
    last.current = imp?.status;
    if (!imp || !before || !isBusy(before) || isBusy(imp.status)) return;
    void qc.invalidateQueries({ queryKey: [...importKeys.all, 'rows', imp.id] });
    void qc.invalidateQueries({ queryKey: importKeys.list() });
    if (before !== 'checking') void qc.invalidateQueries({ queryKey: customerKeys.all, predicate: (q) => q.queryKey[1] !== 'imports' });
  }, [imp, qc]);
}

/** Why the server refused, in the UI's language (its field errors listed when `fields`). */
function ImportProblem({ error, fields = true, ...rest }: { error: unknown; fields?: boolean; 'data-testid'?: string }) {
  const { i18n } = useTranslation();
  const fieldErrors = fields && isProblemError(error) ? error.fieldErrors : [];
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid={rest['data-testid'] ?? 'import-error'}
      title={problemText(error, i18n)}
      description={
        fieldErrors.length > 0 ? (
          <ul style={{ margin: 0, paddingInlineStart: 20 }}>
            {fieldErrors.map((f) => <li key={`${f.field}-${f.code}`}>{fieldErrorText(f, i18n)}</li>)}
          </ul>
        ) : undefined
      }
    />
  );
}

export function FileStep({ onUploaded }: { onUploaded: (imp: Import) => void }) {
  const { t } = useTranslation();
  const upload = useUploadImport();
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      {upload.error && <ImportProblem error={upload.error} data-testid="import-upload-error" />}
      <Spin spinning={upload.isPending}>
        <Upload.Dragger
          accept={ACCEPTED_FILES}
          multiple={false}
          showUploadList={false}
          disabled={upload.isPending}
          beforeUpload={(file) => {
            upload.mutate(file, { onSuccess: onUploaded });
            // uploaded here, not by the component
            return false;
          }}
          data-testid="import-file"
        >
          <p className="ant-upload-drag-icon"><InboxOutlined /></p>
          <p className="ant-upload-text">{t('customerImport.fileDrop')}</p>
          <p className="ant-upload-hint">{t('customerImport.fileHint')}</p>
        </Upload.Dragger>
      </Spin>
    </Space>
  );
}

/** A column's first values, as the file has them. */
function sampleOf(imp: Import, column: number): string[] {
  return imp.sample.map((row) => row[column] ?? '').filter((v) => v.trim() !== '').slice(0, 3);
}

export function MappingStep({ imp }: { imp: Import }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { message } = App.useApp();
  const fields = useImportFields();
  const configure = useConfigureImport();
  const start = useImportCommand();
  const [draft, setDraft] = useState<MappingDraft>(() => draftOf(imp));
  const changed = draftChanged(draft, imp);
  const missing = missingRequired(fields.data ?? [], draft);
  const fieldErrors: FieldError[] = isProblemError(configure.error) ? configure.error.fieldErrors : [];
  const errorOf = (field: string) => fieldErrors.find((f) => f.field === field);
  const columnError = (column: number) => fieldErrors.find((f) => mappingErrorColumn(f.field) === column);
  const other = fieldErrors.filter((f) => mappingErrorColumn(f.field) === null && !['external_system', 'duplicate_handling'].includes(f.field) && !f.field.startsWith('match_keys'));

  // the mapping's own errors (an unknown field or column, a field from two columns) in the server's words, which name the field
  const mappingErrorText = (f: FieldError) => f.message || fieldErrorText(f, i18n);

  const set = (change: Partial<MappingDraft>) => {
    configure.reset();
    start.reset();
    setDraft((d) => ({ ...d, ...change }));
  };
  const setColumn = (column: number, field: string | null) => set({ mapping: draft.mapping.map((f, i) => (i === column ? field : f)) });

  /** Saves the draft when it changed; the import as it then is. */
  const save = async (): Promise<Import> => (changed ? configure.mutateAsync({ imp, settings: settingsOf(draft) }) : imp);
  const onSave = () => void save().then(() => void message.success(t('common.saved')), () => undefined);
  const onDryRun = () =>
    void save().then(
      (saved) => start.mutate({ imp: saved, what: 'dry-run' }),
      () => undefined,
    );

  const options = useMemo(() => {
    const used = new Set(draft.mapping.filter((f): f is string => f !== null));
    return (column: number) => [
      { value: SKIP, label: t('customerImport.skipColumn') },
      ...(fields.data ?? []).map((f: ImportField) => ({
        value: f.key,
        label: f.required ? t('customerImport.requiredField', { label: importFieldLabel(f, lang) }) : importFieldLabel(f, lang),
        disabled: used.has(f.key) && draft.mapping[column] !== f.key,
      })),
    ];
  }, [draft.mapping, fields.data, lang, t]);

  const busy = configure.isPending || start.isPending;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle" data-testid="import-mapping">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t('customerImport.fileSummary', { name: imp.file_name, rows: formatNumber(imp.rows_total, lang), columns: formatNumber(imp.headers.length, lang) })}
      </Typography.Paragraph>
      {configure.error && !isProblemError(configure.error) && <ImportProblem error={configure.error} />}
      {isProblemError(configure.error) && fieldErrors.length === 0 && <ImportProblem error={configure.error} />}
      {other.length > 0 && (
        <Alert type="error" showIcon data-testid="import-mapping-error" title={other.map(mappingErrorText).join(' ')} />
      )}
      {start.error && <ImportProblem error={start.error} data-testid="import-start-error" />}
      {fields.isError && <ImportProblem error={fields.error} />}
      <Table<{ column: number; header: string }>
        size="small"
        rowKey="column"
        pagination={false}
        dataSource={imp.headers.map((header, column) => ({ column, header }))}
        loading={fields.isPending}
        data-testid="import-mapping-table"
        onRow={(c) => ({ 'data-testid': `import-column-${c.column}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { key: 'header', title: t('customerImport.column'), width: 180, render: (_: unknown, c: { header: string }) => <Typography.Text strong>{c.header || '—'}</Typography.Text> },
          {
            key: 'sample',
            title: t('customerImport.sample'),
            render: (_: unknown, { column: i }: { column: number }) => (
              <Typography.Text type="secondary" ellipsis style={{ maxWidth: 320 }}>{sampleOf(imp, i).join(' · ') || '—'}</Typography.Text>
            ),
          },
          {
            key: 'field',
            title: t('customerImport.field'),
            width: 280,
            render: (_: unknown, { column: i }: { column: number }) => {
              const error = columnError(i);
              return (
                <>
                  <Select<string>
                    showSearch={{ optionFilterProp: 'label' }}
                    style={{ width: '100%' }}
                    value={draft.mapping[i] ?? SKIP}
                    status={error ? 'error' : undefined}
                    onChange={(v) => setColumn(i, v === SKIP ? null : v)}
                    options={options(i)}
                    data-testid={`import-field-${i}`}
                    aria-label={imp.headers[i]}
                  />
                  {error && <Typography.Text type="danger" data-testid={`import-field-error-${i}`}>{mappingErrorText(error)}</Typography.Text>}
                </>
              );
            },
          },
        ]}
      />
      {missing.length > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="import-missing-required"
          title={t('customerImport.missingRequired', { fields: missing.map((f) => importFieldLabel(f, lang)).join(t('customerImport.listSeparator')) })}
        />
      )}
      <Form layout="vertical" component="div">
        <Row gutter={24}>
          <Col xs={24} md={12}>
            <Form.Item
              label={t('customerImport.duplicateHandling')}
              validateStatus={errorOf('duplicate_handling') ? 'error' : undefined}
              help={errorOf('duplicate_handling') && fieldErrorText(errorOf('duplicate_handling')!, i18n)}
            >
              <Radio.Group
                value={draft.duplicate_handling}
                onChange={(e) => set({ duplicate_handling: e.target.value as MappingDraft['duplicate_handling'] })}
                data-testid="import-duplicates"
              >
                <Space orientation="vertical">
                  {DUPLICATE_HANDLINGS.map((h) => (
                    <Radio key={h} value={h} data-testid={`import-duplicates-${h}`}>
                      {t(`customerImport.duplicates.${h}`)}
                      <Typography.Text type="secondary"> — {t(`customerImport.duplicatesHelp.${h}`)}</Typography.Text>
                    </Radio>
                  ))}
                </Space>
              </Radio.Group>
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            {draft.duplicate_handling !== 'create' && (
              <Form.Item
                label={t('customerImport.matchKeys')}
                extra={t('customerImport.matchKeysHelp')}
                validateStatus={fieldErrors.some((f) => f.field.startsWith('match_keys')) ? 'error' : undefined}
                help={fieldErrors.filter((f) => f.field.startsWith('match_keys')).map((f) => fieldErrorText(f, i18n)).join(' ') || undefined}
              >
                <Select<MappingDraft['match_keys']>
                  mode="multiple"
                  value={draft.match_keys}
                  onChange={(keys) => set({ match_keys: keys })}
                  options={MATCH_KEYS.map((k) => ({ value: k, label: t(`customerImport.matchKey.${k}`) }))}
                  data-testid="import-match-keys"
                />
              </Form.Item>
            )}
            {mapsExternalId(draft) && (
              <Form.Item
                label={t('customerImport.externalSystem')}
                extra={t('customerImport.externalSystemHelp')}
                required
                validateStatus={errorOf('external_system') ? 'error' : undefined}
                help={errorOf('external_system') && fieldErrorText(errorOf('external_system')!, i18n)}
              >
                <Input
                  value={draft.external_system}
                  onChange={(e) => set({ external_system: e.target.value })}
                  placeholder="erp"
                  maxLength={40}
                  data-testid="import-external-system"
                />
              </Form.Item>
            )}
          </Col>
        </Row>
      </Form>
      <Space wrap>
        <Link to="/customers/import" data-testid="import-new-file">{t('customerImport.otherFile')}</Link>
        <Button onClick={onSave} loading={configure.isPending && !start.isPending} disabled={busy || !changed} data-testid="import-save">
          {t('common.save')}
        </Button>
        <Button type="primary" onClick={onDryRun} loading={busy} data-testid="import-dry-run">
          {t('customerImport.startDryRun')}
        </Button>
      </Space>
    </Space>
  );
}

/** Progress of the background work, with its speed. */
function WorkProgress({ imp }: { imp: Import }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const reverting = imp.status === 'reverting' || imp.status === 'reverted';
  const done = reverting ? imp.reverted + imp.kept : imp.rows_done;
  const total = reverting ? imp.created + imp.updated : imp.rows_total;
  return (
    <div data-testid="import-progress">
      <Progress percent={progressPercent(imp)} status={isBusy(imp.status) ? 'active' : imp.status === 'failed' ? 'exception' : undefined} />
      <Typography.Text type="secondary" data-testid="import-progress-text">
        {t('customerImport.progress', { done: formatNumber(done, lang), total: formatNumber(total, lang), speed: formatNumber(imp.rows_per_second, lang) })}
      </Typography.Text>
    </div>
  );
}

function CountCards({ counts, prefix, future }: { counts: Counts; prefix: string; future: boolean }) {
  const { t, i18n } = useTranslation();
  const keys = ['created', 'updated', 'skipped', 'failed'] as const;
  return (
    <Row gutter={16}>
      {keys.map((k) => (
        <Col key={k} xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t(`customerImport.${future ? 'willBe' : 'were'}.${k}`)}
              value={formatNumber(counts[k], i18n.language)}
              styles={k === 'failed' && counts[k] > 0 ? { content: { color: '#cf1322' } } : undefined}
              data-testid={`${prefix}-${k}`}
            />
          </Card>
        </Col>
      ))}
    </Row>
  );
}

interface ErrorLine {
  key: string;
  row_number: number;
  field: string;
  message: string;
}

/** The failed rows of a pass, one line per error, with the report's download. */
function FailedRows({ imp, phase }: { imp: Import; phase: ImportPhase }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { message } = App.useApp();
  const fields = useImportFields();
  const rowsQuery = useImportRows(imp.id, phase, 'failed');
  const rows = useCursorRows(rowsQuery);
  const download = useDownloadReport();
  const labelOf = (field: string) => {
    if (field === 'row') return t('customerImport.wholeRow');
    const key = errorFieldKey(field);
    const known = fields.data?.find((f) => f.key === key);
    return known ? importFieldLabel(known, lang) : field;
  };
  const lines: ErrorLine[] = rows.flatMap((r: ImportRow) =>
    r.errors.length === 0
      ? [{ key: `${r.row_number}`, row_number: r.row_number, field: '', message: '' }]
      : r.errors.map((e: ImportRowError, i) => ({ key: `${r.row_number}-${i}`, row_number: r.row_number, field: e.field, message: e.message })),
  );
  return (
    <Card
      size="small"
      title={t('customerImport.failedRows')}
      extra={
        <Button
          icon={<DownloadOutlined />}
          loading={download.isPending}
          onClick={() => download.mutate({ id: imp.id, phase }, { onError: (e) => void message.error(problemText(e, i18n)) })}
          data-testid="import-download-report"
        >
          {t('customerImport.downloadReport')}
        </Button>
      }
    >
      {rowsQuery.error && <ImportProblem error={rowsQuery.error} />}
      <Table<ErrorLine>
        size="small"
        rowKey="key"
        pagination={false}
        loading={rowsQuery.isPending}
        dataSource={lines}
        locale={{ emptyText: t('customerImport.noFailedRows') }}
        data-testid="import-failed-rows"
        columns={[
          { key: 'row', title: t('customerImport.rowNumber'), dataIndex: 'row_number', width: 100 },
          { key: 'field', title: t('customerImport.errorField'), width: 200, render: (_: unknown, l: ErrorLine) => (l.field ? labelOf(l.field) : '—') },
          { key: 'message', title: t('customerImport.message'), dataIndex: 'message' },
        ]}
      />
      <LoadMore query={rowsQuery} shown={rows.length} compact data-testid="import-failed-rows-more" />
    </Card>
  );
}

export function CheckStep({ imp, onBack }: { imp: Import; onBack: () => void }) {
  const { t } = useTranslation();
  const command = useImportCommand();
  const counts = checkedCounts(imp);
  if (imp.status === 'checking') {
    return (
      <Space orientation="vertical" style={{ width: '100%' }} size="middle" data-testid="import-checking">
        <Typography.Paragraph>{t('customerImport.checking')}</Typography.Paragraph>
        <WorkProgress imp={imp} />
        {command.error && <ImportProblem error={command.error} />}
        <Button onClick={() => command.mutate({ imp, what: 'cancel' })} loading={command.isPending} disabled={imp.cancel_requested} data-testid="import-cancel">
          {t('customerImport.cancel')}
        </Button>
      </Space>
    );
  }
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle" data-testid="import-checked">
      <Alert type={counts && counts.failed > 0 ? 'warning' : 'success'} showIcon title={t('customerImport.checkedHelp')} />
      {counts && <CountCards counts={counts} prefix="import-check" future />}
      {counts && counts.failed > 0 && <FailedRows imp={imp} phase="check" />}
      {command.error && <ImportProblem error={command.error} />}
      <Space wrap>
        <Button onClick={onBack} disabled={command.isPending} data-testid="import-back-to-mapping">{t('customerImport.backToMapping')}</Button>
        <Button type="primary" onClick={() => command.mutate({ imp, what: 'run' })} loading={command.isPending} data-testid="import-run">
          {counts && counts.failed > 0 ? t('customerImport.runSkippingFailed') : t('customerImport.run')}
        </Button>
      </Space>
    </Space>
  );
}

/** What the failure code says, in the UI's language. */
function failureText(code: string | null | undefined, t: (key: string) => string, exists: (key: string) => boolean): string {
  if (code && exists(`problem.${code}`)) return t(`problem.${code}`);
  return t('customerImport.failed');
}

export function RunStep({ imp }: { imp: Import }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const command = useImportCommand();
  const counts: Counts = { created: imp.created, updated: imp.updated, skipped: imp.skipped, failed: imp.failed };
  const finished = !isBusy(imp.status);
  const revertable = imp.status === 'completed' || imp.status === 'cancelled';
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle" data-testid="import-run-step" data-status={imp.status}>
      <Space>
        <Typography.Text>{t('customerImport.statusLabel')}</Typography.Text>
        <ImportStatusTag status={imp.status} />
      </Space>
      {imp.status === 'running' && <Typography.Paragraph>{t('customerImport.running')}</Typography.Paragraph>}
      {imp.status === 'completed' && <Alert type="success" showIcon data-testid="import-completed" title={t('customerImport.completed')} />}
      {imp.status === 'cancelled' && <Alert type="warning" showIcon title={t('customerImport.cancelled')} />}
      {imp.status === 'failed' && (
        <Alert type="error" showIcon data-testid="import-failed" title={failureText(imp.error_code, t, (k) => i18n.exists(k))} />
      )}
      {(imp.status === 'running' || imp.status === 'reverting') && <WorkProgress imp={imp} />}
      {hasRun(imp.status) && <CountCards counts={counts} prefix="import-run" future={false} />}
      {command.error && <ImportProblem error={command.error} />}
      <Space wrap>
        {imp.status === 'running' && (
          <Button danger onClick={() => command.mutate({ imp, what: 'cancel' })} loading={command.isPending} disabled={imp.cancel_requested} data-testid="import-cancel">
            {t('customerImport.cancel')}
          </Button>
        )}
        {finished && (
          <Button type="primary" onClick={() => navigate('/customers')} data-testid="import-to-customers">{t('customerImport.toCustomers')}</Button>
        )}
        {finished && (
          <Button onClick={() => navigate('/customers/import')} data-testid="import-another">{t('customerImport.another')}</Button>
        )}
        {revertable && (
          <Popconfirm
            title={t('customerImport.revertConfirm')}
            description={t('customerImport.revertHelp')}
            okText={t('customerImport.revert')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true, 'data-testid': 'import-revert-confirm' } as { danger: boolean }}
            onConfirm={() => command.mutate({ imp, what: 'revert' })}
          >
            <Button danger loading={command.isPending} data-testid="import-revert">{t('customerImport.revert')}</Button>
          </Popconfirm>
        )}
      </Space>
      {(imp.status === 'reverting' || imp.status === 'reverted') && <RevertResult imp={imp} />}
      {finished && imp.failed > 0 && imp.status !== 'reverted' && <FailedRows imp={imp} phase="run" />}
    </Space>
  );
}

/** What a revert did: records undone, records left alone because someone changed them since (listed). */
function RevertResult({ imp }: { imp: Import }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const done = imp.status === 'reverted';
  const rows = useAllRunRows(imp.id, done && imp.kept > 0);
  const kept = (rows.data ?? []).filter((r) => r.revert === 'changed_since');
  return (
    <Card size="small" title={t('customerImport.revertTitle')} data-testid="import-revert-result">
      <Row gutter={16}>
        <Col xs={12} md={6}><Statistic title={t('customerImport.reverted')} value={formatNumber(imp.reverted, lang)} data-testid="import-reverted" /></Col>
        <Col xs={12} md={6}><Statistic title={t('customerImport.kept')} value={formatNumber(imp.kept, lang)} data-testid="import-kept" /></Col>
      </Row>
      {done && imp.kept > 0 && (
        <>
          <Typography.Paragraph style={{ marginTop: 16 }}>{t('customerImport.keptHelp')}</Typography.Paragraph>
          {rows.error && <ImportProblem error={rows.error} />}
          <Table<ImportRow>
            size="small"
            rowKey="row_number"
            pagination={false}
            loading={rows.isPending}
            dataSource={kept}
            data-testid="import-kept-rows"
            columns={[
              { key: 'row', title: t('customerImport.rowNumber'), dataIndex: 'row_number', width: 100 },
              { key: 'action', title: t('customerImport.outcome'), render: (_: unknown, r: ImportRow) => t(`customerImport.rowAction.${r.action}`) },
              {
                key: 'record',
                title: t('customerImport.record'),
                render: (_: unknown, r: ImportRow) => (r.record_id ? <Link to={`/customers/${r.record_id}`}>{t('customerImport.openRecord')}</Link> : '—'),
              },
            ]}
          />
        </>
      )}
    </Card>
  );
}

export function ImportStatusTag({ status }: { status: Import['status'] }) {
  const { t } = useTranslation();
  return <Tag color={statusColor(status)} data-testid="import-status">{t(`customerImport.status.${status}`)}</Tag>;
}

