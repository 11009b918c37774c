import { useState } from 'react';
import { App, Button, Dropdown, Progress, Space } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { formatNumber } from '../i18n/format';
import { fileNameOf, saveBlob } from './download';
import { useProblemText } from './problemText';

/** The lists the server exports (`GET /{resource}/export`), by their export path. */
export type ExportPath =
  | '/api/v1/customers/export'
  | '/api/v1/contacts/export'
  | '/api/v1/opportunities/export'
  | '/api/v1/orders/export'
  | '/api/v1/products/export'
  | '/api/v1/interactions/export'
  | '/api/v1/tasks/export'
  | '/api/v1/tickets/export';

export type ExportFormat = 'csv' | 'xlsx';

/** A list's query as its own request sends it: filters and sort (no cursor or limit). */
export type ExportQuery = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface ExportRequest {
  path: ExportPath;
  query: ExportQuery;
  /** The record fields the list shows, in its order (`custom_fields.<key>` for a custom field). */
  columns?: readonly string[];
  format: ExportFormat;
}

/** How far a download is: bytes received, and the whole size when the server sent one (XLSX does). */
export interface ExportProgress {
  received: number;
  total: number | null;
}

const MIME: Record<ExportFormat, string> = {
  csv: 'text/csv;charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The query string values of a request: lists joined by commas, nothing for the empty. */
export function exportQuery({ query, columns, format }: Pick<ExportRequest, 'query' | 'columns' | 'format'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '' || name === 'limit' || name === 'cursor' || name === 'include_total') continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    if (text !== '') out[name] = text;
  }
  if (columns && columns.length > 0) out.columns = columns.join(',');
  out.format = format;
  return out;
}

/**
 * Downloads a list's export with the session's token (the app's client: auth, language, refresh)
 * and saves it as the file the server names, reporting the bytes received as they come. Answers the
 * file's name; a refusal throws the server's problem.
 */
export async function downloadExport(request: ExportRequest, onProgress: (progress: ExportProgress) => void): Promise<string> {
  // One client call serves every list: the paths share their export parameters.
  const { response } = await api.GET(request.path as '/api/v1/customers/export', {
    params: { query: exportQuery(request) as never },
    parseAs: 'stream',
  });
  const length = Number(response.headers.get('Content-Length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const chunks: BlobPart[] = [];
  let received = 0;
  onProgress({ received, total });
  const reader = response.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onProgress({ received, total });
    }
  } else {
    const whole = await response.blob();
    chunks.push(whole);
    onProgress({ received: whole.size, total });
  }
  const stem = request.path.split('/').at(-2) ?? 'export';
  const filename = fileNameOf(response, `${stem}.${request.format}`);
  saveBlob(new Blob(chunks, { type: MIME[request.format] }), filename);
  return filename;
}

/** A size for people: KB below a megabyte, MB above, in the UI's number format. */
function sizeText(bytes: number, lang: string): string {
  if (bytes < 1024 * 1024) return `${formatNumber(Math.max(1, Math.round(bytes / 1024)), lang)} KB`;
  return `${formatNumber(Math.round((bytes / (1024 * 1024)) * 10) / 10, lang)} MB`;
}

export interface ExportButtonProps {
  path: ExportPath;
  /** The list's current query (filters and sort), as it sends it. */
  query: ExportQuery;
  /** The list's visible columns as record fields, in order; every field when absent. */
  columns?: readonly string[];
  'data-testid'?: string;
}

/**
 * A list's Export menu (CSV or Excel): downloads exactly what the list shows (its filters, sort and
 * visible columns), with the download's progress in a message and a refusal in the user's language.
 */
export function ExportButton({ path, query, columns, 'data-testid': testId = 'export' }: ExportButtonProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const problemText = useProblemText();
  const [busy, setBusy] = useState(false);
  const key = `export:${path}`;

  const run = async (format: ExportFormat) => {
    setBusy(true);
    const show = ({ received, total }: ExportProgress) => {
      const size = sizeText(received, i18n.language);
      void message.open({
        key,
        type: 'loading',
        duration: 0,
        content: (
          <Space data-testid={`${testId}-progress`}>
            <span>{total ? t('export.progressOf', { size, total: sizeText(total, i18n.language) }) : t('export.progress', { size })}</span>
            {total ? <Progress percent={Math.min(100, Math.floor((received / total) * 100))} size="small" style={{ width: 120 }} /> : null}
          </Space>
        ),
      });
    };
    try {
      const file = await downloadExport({ path, query, columns, format }, show);
      void message.open({ key, type: 'success', content: t('export.done', { file }) });
    } catch (error) {
      void message.open({ key, type: 'error', duration: 6, content: t('export.failed', { reason: problemText(error) }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dropdown
      disabled={busy}
      trigger={['click']}
      menu={{
        items: [
          { key: 'csv', label: <span data-testid={`${testId}-csv`}>{t('export.csv')}</span> },
          { key: 'xlsx', label: <span data-testid={`${testId}-xlsx`}>{t('export.xlsx')}</span> },
        ],
        onClick: ({ key: format }) => void run(format as ExportFormat),
      }}
    >
      <Button icon={<DownloadOutlined />} loading={busy} data-testid={testId}>
        {t('export.button')}
      </Button>
    </Dropdown>
  );
}
