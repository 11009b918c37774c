import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import i18n from '../../../i18n';
import { tokenStore } from '../../../api/tokens';
import { adminMe, json, problem, renderWithApp } from '../../../test/render';
import ImportHistory from './ImportHistory';
import ImportWizard from './ImportWizard';
import { baseImport } from './testImport';
import type { Import, ImportRow } from './useImports';

afterEach(() => vi.unstubAllGlobals());
beforeEach(() => tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 }));

const fields = [
  { key: 'name', label_zh: '客户名称', label_en: 'Name', required: true },
  { key: 'phone', label_zh: '电话', label_en: 'Phone', required: false },
  { key: 'external_id', label_zh: '外部编号', label_en: 'External ID', required: false },
  { key: 'notes', label_zh: '备注', label_en: 'Notes', required: false },
];

interface Sent {
  method: string;
  path: string;
  query: string;
  body: unknown;
  headers: Headers;
}

/**
 * The imports API: the import's state is `imp`; a GET of a busy import finds it moved on to its
 * state in `after` (the background work's progress). What was sent is kept.
 */
function stubApi(opts: {
  imp?: Import;
  upload?: (bytes: Uint8Array) => Response;
  patch?: (body: Record<string, unknown>) => Response;
  commands?: Partial<Record<'dry-run' | 'run' | 'cancel' | 'revert', Import | (() => Response)>>;
  after?: Partial<Record<Import['status'], Import>>;
  rows?: (query: URLSearchParams) => ImportRow[];
  list?: Import[];
} = {}) {
  const sent: Sent[] = [];
  let imp = opts.imp ?? baseImport;
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const path = url.pathname;
    const body = req.method === 'GET' ? undefined : req.headers.get('Content-Type') === 'application/octet-stream' ? new Uint8Array(await req.arrayBuffer()) : await req.text().then((t) => (t ? JSON.parse(t) as unknown : undefined));
    sent.push({ method: req.method, path, query: url.search, body, headers: req.headers });
    if (path === '/api/v1/auth/me') return json(200, adminMe);
    if (path === '/api/v1/imports/fields') return json(200, fields);
    if (path === '/api/v1/imports' && req.method === 'POST') return opts.upload ? opts.upload(body as Uint8Array) : json(201, imp);
    if (path === '/api/v1/imports' && req.method === 'GET') return json(200, { data: opts.list ?? [imp], next_cursor: null });
    if (path === `/api/v1/imports/${imp.id}` && req.method === 'GET') {
      imp = opts.after?.[imp.status] ?? imp;
      return json(200, imp);
    }
    if (path === `/api/v1/imports/${imp.id}` && req.method === 'PATCH') {
      if (opts.patch) return opts.patch(body as Record<string, unknown>);
      imp = { ...imp, status: 'uploaded', version: imp.version + 1 };
      return json(200, imp);
    }
    const command = /^\/api\/v1\/imports\/\w+\/(dry-run|run|cancel|revert)$/.exec(path);
    if (command && req.method === 'POST') {
      const next = opts.commands?.[command[1] as 'run'];
      if (!next) return json(409, { type: '/problems/import', title: 'Conflict', status: 409, code: 'import.wrong_state' });
      if (typeof next === 'function') return next();
      imp = next;
      return json(command[1] === 'cancel' ? 200 : 202, imp);
    }
    if (path === `/api/v1/imports/${imp.id}/rows`) return json(200, { data: opts.rows?.(url.searchParams) ?? [], next_cursor: null });
    if (path === `/api/v1/imports/${imp.id}/rows/export`) {
      return new Response('\ufeff行号,处理,记录编号,错误\r\n5,failed,,name: 必填\r\n', {
        status: 200,
        headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="import-${imp.id}-check.csv"` },
      });
    }
    return json(404, { title: 'Not found', status: 404 });
  }));
  return sent;
}

function renderWizard(path: string) {
  return renderWithApp(
    <Routes>
      <Route path="/customers/import" element={<ImportWizard />} />
      <Route path="/customers/import/:id" element={<ImportWizard />} />
      <Route path="/customers/imports" element={<ImportHistory />} />
      <Route path="/customers" element={<div data-testid="customer-list-page" />} />
    </Routes>,
    { path },
  );
}

const checking: Import = { ...baseImport, status: 'checking', rows_done: 2, rows_per_second: 120.5, version: 3 };
const checked: Import = { ...baseImport, status: 'checked', rows_done: 4, checked: { created: 3, updated: 0, skipped: 0, failed: 1 } as unknown as Import['checked'], version: 4 };
const failedRow: ImportRow = {
  row_number: 5, action: 'failed', record_id: null, revert: null,
  errors: [{ field: 'name', code: 'required', message: '必填', params: null }],
};

describe('choosing the file', () => {
  it('uploads it at once as raw bytes, then opens the mapping of its columns', async () => {
    await i18n.changeLanguage('zh-CN');
    const sent = stubApi();
    const user = userEvent.setup();
    const { container } = renderWizard('/customers/import');
    await screen.findByText('点击或将文件拖到此处上传');
    const file = new File([new Uint8Array([80, 75, 3, 4, 1, 2])], '客户.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    await user.upload(container.querySelector('input[type=file]') as HTMLInputElement, file);

    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/customers/import/i1'));
    const upload = sent.find((s) => s.method === 'POST' && s.path === '/api/v1/imports')!;
    expect(new URLSearchParams(upload.query).get('file_name')).toBe('客户.xlsx');
    expect(new URLSearchParams(upload.query).get('entity')).toBe('customers');
    expect(upload.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(upload.headers.get('Idempotency-Key')).toBeTruthy();
    expect([...(upload.body as Uint8Array)]).toEqual([80, 75, 3, 4, 1, 2]);

    const table = await screen.findByTestId('import-mapping-table');
    expect(within(table).getByText('外部编号')).toBeInTheDocument();
    expect(within(table).getByText('上海甲公司 · 北京乙公司')).toBeInTheDocument();
    // the proposed fields, required ones marked; unmapped columns are skipped
    await waitFor(() => expect(screen.getByTestId('import-field-0')).toHaveTextContent('客户名称（必填）'));
    expect(screen.getByTestId('import-field-2')).toHaveTextContent('不导入');
  });

  it("shows why the server could not read the file, in the user's language", async () => {
    await i18n.changeLanguage('zh-CN');
    stubApi({ upload: () => json(422, { type: '/problems/import', title: 'Unprocessable', status: 422, code: 'import.unreadable_workbook', detail: 'the workbook cannot be read' }) });
    const user = userEvent.setup();
    const { container } = renderWizard('/customers/import');
    await screen.findByText('点击或将文件拖到此处上传');
    await user.upload(container.querySelector('input[type=file]') as HTMLInputElement, new File(['PK'], 'x.xlsx'));
    expect(await screen.findByTestId('import-upload-error')).toHaveTextContent('无法读取这个 Excel 文件');
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/customers\/import$/);
  });
});

describe('the mapping', () => {
  it('asks for the external system when a column maps the external id, and shows the field errors by their controls', async () => {
    await i18n.changeLanguage('en');
    const sent = stubApi({
      patch: () => problem(422, [
        { field: 'mapping[3]', code: 'unknown_field', message: 'no field notes can be imported' },
        { field: 'external_system', code: 'required', message: 'name the system the external id column belongs to' },
      ]),
    });
    // antd's dropdowns fade in and out: an option is clicked as a person would once it shows
    const user = userEvent.setup({ pointerEventsCheck: 0 });
    renderWizard('/customers/import/i1');
    await screen.findByTestId('import-mapping-table');
    expect(screen.queryByTestId('import-external-system')).not.toBeInTheDocument();

    // column 2 → External ID; column 3 → Notes
    for (const [column, label] of [[2, 'External ID'], [3, 'Notes']] as const) {
      await user.click(screen.getByTestId(`import-field-${column}`).closest('.ant-select')!);
      // each select has its own dropdown, the one just opened last
      const option = () => [...document.querySelectorAll<HTMLElement>(`.ant-select-item-option[title="${label}"]`)].at(-1) ?? null;
      await waitFor(() => expect(option()).not.toBeNull());
      await user.click(option()!);
      await waitFor(() => expect(screen.getByTestId(`import-column-${column}`)).toHaveTextContent(label));
    }
    expect(screen.getByTestId('import-external-system')).toBeInTheDocument();
    await user.click(screen.getByTestId('import-dry-run'));

    expect(await screen.findByTestId('import-field-error-3')).toHaveTextContent('no field notes can be imported');
    const patch = sent.find((s) => s.method === 'PATCH')!;
    expect(patch.headers.get('If-Match')).toBe('"1"');
    expect(patch.body).toEqual({
      mapping: [{ column: 0, field: 'name' }, { column: 1, field: 'phone' }, { column: 2, field: 'external_id' }, { column: 3, field: 'notes' }],
      duplicate_handling: 'skip',
      match_keys: ['phone', 'name_city'],
      external_system: null,
    });
    expect(screen.getByText('Required')).toBeInTheDocument();
    // the dry run did not start
    expect(sent.some((s) => s.path.endsWith('/dry-run'))).toBe(false);
  });

  it('says which required field no column fills, and shows the refusal of the dry run', async () => {
    await i18n.changeLanguage('zh-CN');
    stubApi({
      imp: { ...baseImport, mapping: [null, 'phone', null, null] },
      commands: {
        'dry-run': () => json(422, {
          type: '/problems/import', title: 'Unprocessable', status: 422, code: 'import.required_field_unmapped', detail: '没有列对应必填字段：客户名称',
        }),
      },
    });
    const user = userEvent.setup();
    renderWizard('/customers/import/i1');
    expect(await screen.findByTestId('import-missing-required')).toHaveTextContent('以下必填字段还没有对应的列：客户名称');
    await user.click(screen.getByTestId('import-dry-run'));
    // the server's sentence, in the language asked for
    expect(await screen.findByTestId('import-start-error')).toHaveTextContent('没有列对应必填字段：客户名称');
    expect(screen.getByTestId('import-wizard')).toHaveAttribute('data-step', 'mapping');
    await user.click(screen.getByTestId('import-duplicates-update'));
    expect(screen.queryByTestId('import-missing-required')).not.toBeInTheDocument();
    await user.click(screen.getByTestId('import-duplicates-create'));
    // creating anyway: no matching keys to choose
    expect(screen.queryByTestId('import-match-keys')).not.toBeInTheDocument();
  });
});

describe('the dry run', () => {
  it('starts, is followed until checked, then shows the counts, the failed rows and the report', async () => {
    await i18n.changeLanguage('zh-CN');
    const sent = stubApi({
      commands: { 'dry-run': checking },
      after: { checking: checked },
      rows: (q) => (q.get('phase') === 'check' && q.get('action') === 'failed' ? [failedRow] : []),
    });
    const saved: { name: string }[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download });
    });
    URL.createObjectURL = vi.fn(() => 'blob:report');
    URL.revokeObjectURL = vi.fn();
    const user = userEvent.setup();
    renderWizard('/customers/import/i1');
    await screen.findByTestId('import-mapping-table');
    await user.click(screen.getByTestId('import-dry-run'));

    // the mapping was unchanged: no PATCH, straight to the dry run
    expect(await screen.findByTestId('import-checking')).toBeInTheDocument();
    expect(sent.some((s) => s.method === 'PATCH')).toBe(false);
    expect(screen.getByTestId('import-progress-text')).toHaveTextContent('已处理 2 / 4 行，每秒 120.5 行');
    expect(screen.getByTestId('import-wizard')).toHaveAttribute('data-step', 'check');

    await screen.findByTestId('import-checked', {}, { timeout: 5000 });
    expect(screen.getByTestId('import-check-created')).toHaveTextContent('3');
    expect(screen.getByTestId('import-check-failed')).toHaveTextContent('1');
    const failed = await screen.findByTestId('import-failed-rows');
    await within(failed).findByText('5');
    expect(within(failed).getByText('客户名称')).toBeInTheDocument();
    expect(within(failed).getByText('必填')).toBeInTheDocument();

    await user.click(screen.getByTestId('import-download-report'));
    await waitFor(() => expect(saved).toEqual([{ name: 'import-i1-check.csv' }]));
    const report = sent.find((s) => s.path.endsWith('/rows/export'))!;
    expect(report.query).toBe('?phase=check');
    expect(report.headers.get('Authorization')).toBe('Bearer a');
    click.mockRestore();

    // back to the mapping, the import still checked
    await user.click(screen.getByTestId('import-back-to-mapping'));
    expect(await screen.findByTestId('import-mapping-table')).toBeInTheDocument();
  });
});

describe('the run', () => {
  it('runs, is followed to completion, and a revert lists the customers it left alone', async () => {
    await i18n.changeLanguage('en');
    const running: Import = { ...checked, status: 'running', rows_done: 0, version: 5 };
    const completed: Import = { ...checked, status: 'completed', rows_done: 4, created: 3, failed: 1, version: 6 };
    const reverting: Import = { ...completed, status: 'reverting', version: 7 };
    const reverted: Import = { ...completed, status: 'reverted', reverted: 2, kept: 1, version: 8 };
    const sent = stubApi({
      imp: checked,
      commands: { run: running, revert: reverting },
      after: { running: completed, reverting: reverted },
      rows: (q) =>
        q.get('phase') === 'run'
          ? ([
              { row_number: 2, action: 'created', record_id: 'c1', errors: [], revert: 'reverted' },
              { row_number: 3, action: 'created', record_id: 'c2', errors: [], revert: 'changed_since' },
              { row_number: 4, action: 'created', record_id: 'c3', errors: [], revert: 'reverted' },
              failedRow,
            ] as ImportRow[]).filter((r) => !q.get('action') || r.action === q.get('action'))
          : [],
    });
    const user = userEvent.setup();
    renderWizard('/customers/import/i1');
    await user.click(await screen.findByTestId('import-run'));
    expect(await screen.findByTestId('import-run-step')).toHaveAttribute('data-status', 'running');
    expect(screen.getByTestId('import-cancel')).toBeInTheDocument();

    expect(await screen.findByTestId('import-completed', {}, { timeout: 5000 })).toHaveTextContent('The import is complete.');
    expect(screen.getByTestId('import-run-created')).toHaveTextContent('3');
    expect(screen.getByTestId('import-run-failed')).toHaveTextContent('1');
    expect(screen.getByTestId('import-status')).toHaveTextContent('Completed');
    const run = sent.find((s) => s.path.endsWith('/run'))!;
    expect(run.headers.get('If-Match')).toBe('"4"');

    await user.click(screen.getByTestId('import-revert'));
    await user.click(await screen.findByTestId('import-revert-confirm'));
    const result = await screen.findByTestId('import-revert-result');
    await waitFor(() => expect(within(result).getByTestId('import-kept')).toHaveTextContent('1'), { timeout: 5000 });
    expect(within(result).getByTestId('import-reverted')).toHaveTextContent('2');
    const kept = await within(result).findByTestId('import-kept-rows');
    await within(kept).findByText('3');
    expect(within(kept).queryByText('2')).not.toBeInTheDocument();
    expect(within(kept).getByRole('link', { name: 'Open the customer' })).toHaveAttribute('href', '/customers/c2');

    await user.click(screen.getByTestId('import-to-customers'));
    expect(await screen.findByTestId('customer-list-page')).toBeInTheDocument();
  });
});

describe('the history', () => {
  it('lists the imports with their status and counts, each reopened at its step', async () => {
    await i18n.changeLanguage('zh-CN');
    stubApi({
      list: [
        { ...baseImport, id: 'i2', file_name: '二月.csv', status: 'completed', created: 120, failed: 2 },
        { ...baseImport, id: 'i1', file_name: '一月.xlsx', status: 'uploaded' },
      ],
    });
    const user = userEvent.setup();
    renderWizard('/customers/imports');
    const rows = await screen.findAllByTestId('import-history-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('二月.csv');
    expect(rows[0]).toHaveTextContent('已完成');
    expect(rows[0]).toHaveTextContent('120');
    expect(rows[1]).toHaveTextContent('待试运行');
    await user.click(within(rows[1]!).getByText('一月.xlsx'));
    expect(await screen.findByTestId('import-mapping-table')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/customers/import/i1');
  });
});
