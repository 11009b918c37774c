import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { act, renderHook, screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { App as AntApp } from 'antd';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Customer } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import CustomerList from './CustomerList';
import { csvCell, toCsv, useCustomerSelection } from './bulk';

const customer = (id: string, name: string, extra: Partial<Customer> = {}): Customer =>
  ({
    id, name, kind: 'company', lifecycle_stage: 'potential', industry: null, province: null, city: null, district: null,
    phone: null, email: null, tags: [], owner_id: 'u1', owner_name: 'Admin', team_id: null, team_name: null,
    created_at: '2026-03-05T02:00:00Z', updated_at: '2026-03-05T02:00:00Z', version: 1, masked: [], custom_fields: {},
    ...extra,
  }) as unknown as Customer;

const ROWS = [
  customer('c1', '甲公司', { phone: '138****0000', masked: ['phone'] }),
  customer('c2', '=HYPERLINK("http://evil")', { industry: '-2+3', tags: ['@home'] }),
  customer('c3', '丙, "有限" 公司'),
];

let bulkBodies: unknown[] = [];
let bulkAnswer: (body: { ids: string[] }) => Response;
let saved: Blob[] = [];
let click: MockInstance<() => void>;

function stubApi() {
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
    if (url.pathname === '/api/v1/customers/bulk' && req.method === 'POST') {
      const body = (await req.json()) as { ids: string[] };
      bulkBodies.push(body);
      return bulkAnswer(body);
    }
    if (url.pathname === '/api/v1/customers' && req.method === 'GET') return json(200, { data: ROWS, next_cursor: null, total: ROWS.length });
    if (url.pathname === '/api/v1/users') {
      return json(200, { data: [{ id: 'u2', display_name: '李销售', email: 'li@example.com', active: true }], next_cursor: null });
    }
    return json(200, { data: [], next_cursor: null });
  }));
}

/** Every selected one succeeds, as the server answers. */
const allSucceed = (body: { ids: string[] }) =>
  json(200, { atomic: false, committed: true, succeeded: body.ids.length, failed: 0, results: body.ids.map((id, index) => ({ index, status: 200, id, version: 2 })) });

async function select(user: UserEvent, ...ids: string[]) {
  for (const id of ids) {
    const row = await waitFor(() => {
      const el = document.querySelector<HTMLElement>(`tr[data-row-key="${id}"]`);
      if (!el) throw new Error(`no row ${id}`);
      return el;
    });
    await user.click(within(row).getByRole('checkbox'));
  }
}

beforeEach(() => {
  bulkBodies = [];
  saved = [];
  bulkAnswer = allSucceed;
  tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
  Object.assign(URL, {
    createObjectURL: vi.fn((blob: Blob) => {
      saved.push(blob);
      return 'blob:selected';
    }),
    revokeObjectURL: vi.fn(),
  });
  click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
  stubApi();
});

afterEach(() => {
  vi.unstubAllGlobals();
  click.mockRestore();
  Reflect.deleteProperty(URL, 'createObjectURL');
  Reflect.deleteProperty(URL, 'revokeObjectURL');
});

describe('customer list bulk actions', () => {
  it('selecting rows shows the toolbar with their count (in Chinese), clearing hides it', async () => {
    await i18n.changeLanguage('zh-CN');
    const user = userEvent.setup();
    renderWithApp(<CustomerList />, { path: '/customers' });
    await screen.findByText('甲公司');
    expect(screen.queryByTestId('bulk-toolbar')).toBeNull();

    await select(user, 'c1', 'c3');
    expect(await screen.findByTestId('bulk-count')).toHaveTextContent('已选 2 项');
    const bar = screen.getByTestId('bulk-toolbar');
    for (const label of ['分配负责人', '添加标签', '移除标签', '修改阶段', '删除', '导出所选', '清除选择']) expect(bar).toHaveTextContent(label);

    await user.click(screen.getByTestId('bulk-clear'));
    await waitFor(() => expect(screen.queryByTestId('bulk-toolbar')).toBeNull());
  }, 30_000);

  it('assign sends one request with the selected ids, the owner and no team; the selection is cleared of those done', async () => {
    await i18n.changeLanguage('en');
    const user = userEvent.setup();
    renderWithApp(<CustomerList />, { path: '/customers' });
    await screen.findByText('甲公司');
    await select(user, 'c1', 'c2');
    await user.click(await screen.findByTestId('bulk-assign'));
    await user.click(within(await screen.findByRole('dialog')).getAllByRole('combobox')[0]!);
    const option = () => document.querySelector<HTMLElement>('.ant-select-item-option[title="李销售 (li@example.com)"]');
    await waitFor(() => expect(option()).not.toBeNull());
    await user.click(option()!);
    await user.click(screen.getByTestId('bulk-submit'));

    await waitFor(() => expect(bulkBodies).toHaveLength(1));
    expect(bulkBodies[0]).toEqual({ action: 'assign', owner_id: 'u2', ids: ['c1', 'c2'] });
    expect(await screen.findByText('2 succeeded, 0 failed')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('bulk-toolbar')).toBeNull());
  }, 30_000);

  it('the summary counts and lists each failure by name with the problem in the user\'s language; failures stay selected', async () => {
    await i18n.changeLanguage('zh-CN');
    bulkAnswer = (body) =>
      json(200, {
        atomic: false, committed: true, succeeded: 1, failed: 2,
        results: [
          { index: 0, status: 200, id: body.ids[0], version: 2 },
          { index: 1, status: 404, error: { type: '/problems/not-found', title: 'Not found', status: 404, code: 'not_found', detail: '客户不存在' } },
          { index: 2, status: 422, error: { type: '/problems/x', title: 'Invalid', status: 422, code: 'customer.tags_limit', detail: '标签不能超过 20 个' } },
        ],
      });
    const user = userEvent.setup();
    renderWithApp(<CustomerList />, { path: '/customers' });
    await screen.findByText('甲公司');
    await select(user, 'c1', 'c2', 'c3');
    await user.click(await screen.findByTestId('bulk-add-tags'));
    const tags = within(await screen.findByRole('dialog')).getByRole('combobox');
    await user.type(tags, '重点{enter}');
    await user.click(screen.getByTestId('bulk-submit'));

    await waitFor(() => expect(bulkBodies).toHaveLength(1));
    expect(bulkBodies[0]).toEqual({ action: 'add_tags', tags: ['重点'], ids: ['c1', 'c2', 'c3'] });
    expect(await screen.findByTestId('bulk-summary-text')).toHaveTextContent('成功 1 条，失败 2 条');
    const failures = screen.getAllByTestId('bulk-failure').map((li) => li.textContent);
    expect(failures).toEqual([
      `=HYPERLINK("http://evil")：${i18n.t('problem.not_found')}`,
      '丙, "有限" 公司：标签不能超过 20 个',
    ]);
    // the one that succeeded left the selection, the two that failed are still selected
    expect(screen.getByTestId('bulk-count')).toHaveTextContent('已选 2 项');
  }, 30_000);

  it('a bad request (422) shows the server\'s reasons and keeps the dialog and the selection', async () => {
    await i18n.changeLanguage('en');
    bulkAnswer = () =>
      json(422, { type: '/problems/validation', title: 'Validation failed', status: 422, code: 'validation', detail: 'Invalid fields', errors: [{ field: 'lifecycle_stage', code: 'choice', message: 'not a stage' }] });
    const user = userEvent.setup();
    renderWithApp(<CustomerList />, { path: '/customers' });
    await screen.findByText('甲公司');
    await select(user, 'c1');
    await user.click(await screen.findByTestId('bulk-set-stage'));
    await user.click(within(await screen.findByRole('dialog')).getByRole('combobox'));
    const option = () => document.querySelector<HTMLElement>('.ant-select-item-option[title="Prospect"]');
    await waitFor(() => expect(option()).not.toBeNull());
    await user.click(option()!);
    await user.click(screen.getByTestId('bulk-submit'));

    await waitFor(() => expect(bulkBodies).toEqual([{ action: 'set_stage', lifecycle_stage: 'prospect', ids: ['c1'] }]));
    // the problem's sentence, then each field's (the app's own text for a field error's code)
    expect(await screen.findByText('The bulk action failed: Invalid fields; Pick a value from the list')).toBeInTheDocument();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(screen.getByTestId('bulk-count')).toHaveTextContent('1 selected');
  }, 30_000);

  it('delete asks first, then sends the selection', async () => {
    await i18n.changeLanguage('en');
    const user = userEvent.setup();
    renderWithApp(<CustomerList />, { path: '/customers' });
    await screen.findByText('甲公司');
    await select(user, 'c3');
    await user.click(await screen.findByTestId('bulk-delete'));
    expect(bulkBodies).toHaveLength(0);
    await user.click(await screen.findByTestId('bulk-delete-confirm'));
    await waitFor(() => expect(bulkBodies).toEqual([{ action: 'delete', ids: ['c3'] }]));
  }, 30_000);

  it('export selected saves a CSV of the selected rows in the visible columns: BOM, quoted, no formulas', async () => {
    await i18n.changeLanguage('en');
    const user = userEvent.setup();
    renderWithApp(<CustomerList />, { path: '/customers' });
    await screen.findByText('甲公司');
    await select(user, 'c3', 'c2', 'c1');
    await user.click(await screen.findByTestId('bulk-export'));

    await waitFor(() => expect(saved).toHaveLength(1));
    expect(click).toHaveBeenCalled();
    const bytes = await new Promise<Uint8Array>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
      reader.readAsArrayBuffer(saved[0]!);
    });
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const lines = text.replace(/^\uFEFF/, '').split('\r\n');
    // the default columns: name, stage, industry, region, phone, owner, created; rows in the table's order
    // (personal values as the list shows them: masked)
    expect(lines[0]).toBe('Name,Lifecycle stage,Industry,Region,Phone,Owner,Created');
    expect(lines[1]).toMatch(/^甲公司,Potential,,,138\*\*\*\*0000,Admin,"Mar 5, 2026/);
    expect(lines[2]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil""\)",Potential,'-2\+3,,,Admin,/);
    expect(lines[3]).toMatch(/^"丙, ""有限"" 公司",Potential,,,,Admin,/);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
  }, 30_000);
});

describe('csv cells', () => {
  it('guard formulas and quote what must be quoted', () => {
    expect(['=1+1', '+86', '-5', '@SUM(A1)', '\tx', 'plain', 'a,b', 'say "hi"', 'two\nlines'].map(csvCell)).toEqual([
      "'=1+1", "'+86", "'-5", "'@SUM(A1)", "'\tx", 'plain', '"a,b"', '"say ""hi"""', '"two\nlines"',
    ]);
    expect(toCsv([{ title: '名称', text: (r: string) => r }], ['=x'])).toBe("\uFEFF名称\r\n'=x\r\n");
  });
});

describe('selection', () => {
  it('refuses more than the maximum with a message, keeping what was selected', async () => {
    await i18n.changeLanguage('zh-CN');
    const wrapper = ({ children }: { children: ReactNode }) => <AntApp>{children}</AntApp>;
    const { result } = renderHook(() => useCustomerSelection(2), { wrapper });
    const rows = ROWS;
    act(() => result.current.rowSelection.onChange?.(['c1'], [rows[0]!], { type: 'single' }));
    act(() => result.current.rowSelection.onChange?.(['c1', 'c2', 'c3'], rows, { type: 'all' }));
    expect([...result.current.selected.keys()]).toEqual(['c1', 'c2']);
    expect(await screen.findByText('最多可选择 2 个客户，超出的未被选中。')).toBeInTheDocument();
    // kept while the table shows other rows (another page or filter): the row comes back undefined
    act(() => result.current.rowSelection.onChange?.(['c1', 'c2'], [undefined as unknown as Customer, rows[1]!], { type: 'single' }));
    expect(result.current.selected.get('c1')?.name).toBe('甲公司');
    act(() => result.current.drop(['c1']));
    expect([...result.current.selected.keys()]).toEqual(['c2']);
  });
});
