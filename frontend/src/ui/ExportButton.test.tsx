import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../i18n';
import { tokenStore } from '../api/tokens';
import { json, renderWithApp } from '../test/render';
import { downloadExport, ExportButton, exportQuery, type ExportProgress } from './ExportButton';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An answer whose body arrives in `chunks`, with its length when `withLength`. */
function streamed(chunks: string[], headers: Record<string, string>, withLength = true): Response {
  const bytes = chunks.map((c) => new TextEncoder().encode(c));
  const body = new ReadableStream({
    start(controller) {
      for (const b of bytes) controller.enqueue(b);
      controller.close();
    },
  });
  const length = bytes.reduce((n, b) => n + b.byteLength, 0);
  return new Response(body, { status: 200, headers: { ...headers, ...(withLength ? { 'Content-Length': String(length) } : {}) } });
}

let requests: { url: URL; auth: string | null; language: string | null }[] = [];
let saved: Blob[] = [];
let click: MockInstance<() => void>;

function stubFetch(answer: (url: URL) => Response) {
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    requests.push({ url, auth: req.headers.get('Authorization'), language: req.headers.get('Accept-Language') });
    return answer(url);
  }));
}

beforeEach(() => {
  requests = [];
  saved = [];
  tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
  // jsdom has no object URLs: the download's own are stubbed
  Object.assign(URL, {
    createObjectURL: vi.fn((blob: Blob) => {
      saved.push(blob);
      return 'blob:export';
    }),
    revokeObjectURL: vi.fn(),
  });
  click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.unstubAllGlobals();
  click.mockRestore();
  Reflect.deleteProperty(URL, 'createObjectURL');
  Reflect.deleteProperty(URL, 'revokeObjectURL');
});

describe('exportQuery', () => {
  it('sends the filters and sort as the list does, the visible columns in order, and the format', () => {
    expect(
      exportQuery({
        query: { q: '华为', lifecycle_stage: ['prospect', 'customer'], sort: '-created_at', owner_id: undefined, industry: '', active: false, limit: 50, cursor: 'c2' },
        columns: ['name', 'province', 'custom_fields.level'],
        format: 'xlsx',
      }),
    ).toEqual({ q: '华为', lifecycle_stage: 'prospect,customer', sort: '-created_at', active: 'false', columns: 'name,province,custom_fields.level', format: 'xlsx' });
    expect(exportQuery({ query: {}, format: 'csv' })).toEqual({ format: 'csv' });
  });
});

describe('downloadExport', () => {
  it('downloads with the session token, reports the bytes as they come and saves the named file', async () => {
    await i18n.changeLanguage('en');
    stubFetch(() => streamed(['PK', 'workbook'], { 'Content-Type': XLSX, 'Content-Disposition': 'attachment; filename="customers.xlsx"' }));
    const progress: ExportProgress[] = [];
    const file = await downloadExport({ path: '/api/v1/customers/export', query: { industry: '制造业' }, columns: ['name'], format: 'xlsx' }, (p) => progress.push(p));
    expect(file).toBe('customers.xlsx');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url.pathname).toBe('/api/v1/customers/export');
    expect(Object.fromEntries(requests[0]!.url.searchParams)).toEqual({ industry: '制造业', columns: 'name', format: 'xlsx' });
    expect(requests[0]!.auth).toBe('Bearer a');
    expect(progress.at(0)).toEqual({ received: 0, total: 10 });
    expect(progress.at(-1)).toEqual({ received: 10, total: 10 });
    expect(saved).toHaveLength(1);
    expect(saved[0]!.size).toBe(10);
    expect(saved[0]!.type).toBe(XLSX);
    expect(click).toHaveBeenCalled();
  });
});

describe('ExportButton', () => {
  it('exports as CSV or Excel from its menu, with the list query and columns, showing progress then the file', async () => {
    await i18n.changeLanguage('en');
    stubFetch((url) =>
      streamed(['\uFEFFname\r\n', '华为\r\n'], { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="tickets.${url.searchParams.get('format')}"` }, false),
    );
    const user = userEvent.setup();
    renderWithApp(<ExportButton path="/api/v1/tickets/export" query={{ status: 'open', sort: '-created_at' }} columns={['number', 'subject']} data-testid="ticket-export" />);

    await user.click(screen.getByTestId('ticket-export'));
    await user.click(await screen.findByTestId('ticket-export-csv'));
    expect(await screen.findByText('Exported as tickets.csv')).toBeInTheDocument();
    expect(Object.fromEntries(requests[0]!.url.searchParams)).toEqual({ status: 'open', sort: '-created_at', columns: 'number,subject', format: 'csv' });

    await user.click(screen.getByTestId('ticket-export'));
    await user.click(await screen.findByTestId('ticket-export-xlsx'));
    expect(await screen.findByText('Exported as tickets.xlsx')).toBeInTheDocument();
    expect(requests[1]!.url.searchParams.get('format')).toBe('xlsx');
    expect(saved).toHaveLength(2);
  }, 30_000);

  it('tells a refusal in the user’s language, as the server wrote it for that language', async () => {
    await i18n.changeLanguage('zh-CN');
    stubFetch(() =>
      json(400, {
        type: '/problems/bad-request', title: '请求有误', status: 400, code: 'bad_request', detail: '参数 columns 无效：nope 不是可导出的列',
        errors: [{ field: 'columns', code: 'unknown_column', message: 'nope 不是可导出的列' }],
      }),
    );
    const user = userEvent.setup();
    renderWithApp(<ExportButton path="/api/v1/customers/export" query={{}} columns={['nope']} />);
    await user.click(screen.getByTestId('export'));
    await user.click(await screen.findByTestId('export-xlsx'));
    expect(await screen.findByText('导出失败：参数 columns 无效：nope 不是可导出的列')).toBeInTheDocument();
    expect(requests[0]!.language).toBe('zh-CN');
    expect(saved).toHaveLength(0);
  }, 30_000);
});
