import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { AuditEntry } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { AuditChanges, AuditTab, auditActionLabel } from './AuditTab';

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  id: 'a1', actor_id: 'u2', actor_name: 'Li Na', action: 'update', entity_type: 'customer', entity_id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  changes: {} as AuditEntry['changes'], request_id: 'req-1', ip: '10.0.0.7', created_at: '2026-03-02T08:30:00Z', ...over,
});

const updated = entry({ id: 'a1', changes: { name: { old: 'Acme', new: 'Acme Ltd' }, tags: { old: [], new: ['vip'] } } as unknown as AuditEntry['changes'] });
const created = entry({
  id: 'a2', action: 'create', entity_type: 'api_key', actor_id: null, actor_name: null, ip: null,
  changes: { after: { name: 'ERP sync', prefix: 'crm_Ab3d' } } as unknown as AuditEntry['changes'],
});
const ended = entry({ id: 'a3', action: 'end_session', entity_type: 'user', changes: { session_id: 's9' } as unknown as AuditEntry['changes'] });

const users = [
  { id: 'u2', email: 'lina@example.com', display_name: 'Li Na', role_id: 'r2', team_ids: [], locale: 'en', active: true, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 1 },
];

afterEach(() => vi.unstubAllGlobals());

function stubApi() {
  const lists: URLSearchParams[] = [];
  const exports: { query: URLSearchParams; auth: string | null }[] = [];
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
    if (url.pathname === '/api/v1/users') return json(200, { data: users, next_cursor: null });
    if (url.pathname === '/api/v1/audit') {
      lists.push(url.searchParams);
      if (url.searchParams.get('cursor') === 'c2') return json(200, { data: [ended], next_cursor: null });
      return json(200, { data: [updated, created], next_cursor: 'c2' });
    }
    if (url.pathname === '/api/v1/audit/export') {
      exports.push({ query: url.searchParams, auth: req.headers.get('Authorization') });
      return new Response('\uFEFFid,action\r\na1,update\r\n', {
        status: 200,
        headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="audit-20260302.csv"' },
      });
    }
    return json(404, { title: 'Not found', status: 404 });
  }));
  return { lists, exports };
}

describe('AuditTab', () => {
  it('reads its filters from the URL, loads more with the cursor and shows what changed', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const { lists } = stubApi();
    const user = userEvent.setup();
    renderWithApp(<AuditTab />, { path: '/settings/audit?entity_type=customer&action=update&from=2026-03-01&to=2026-03-31' });

    const table = await screen.findByTestId('audit-table');
    await waitFor(() => expect(within(table).getByText('Li Na')).toBeInTheDocument());
    expect(Object.fromEntries(lists[0]!)).toEqual({ entity_type: 'customer', action: 'update', from: '2026-03-01', to: '2026-03-31', limit: '50' });
    expect(within(table).getByText('System')).toBeInTheDocument();
    expect(within(table).getAllByTestId('audit-action').map((a) => a.textContent)).toEqual(['Changed', 'Created']);
    expect(within(table).getByText('API key')).toBeInTheDocument();
    expect(within(table).getAllByTestId('audit-record')[0]).toHaveTextContent('0190a1b2');
    expect(within(table).getByText('10.0.0.7')).toBeInTheDocument();

    // the next page by its cursor, with the same filters, under the first
    await user.click(screen.getByTestId('load-more'));
    await waitFor(() => expect(within(table).getAllByTestId('audit-action')).toHaveLength(3));
    expect(lists.at(-1)?.get('cursor')).toBe('c2');
    expect(lists.at(-1)?.get('action')).toBe('update');
    expect(within(table).getByText('Session ended')).toBeInTheDocument();

    // an update: its fields, before and after
    const [first] = within(table).getAllByRole('button', { name: /expand row/i });
    await user.click(first!);
    const changes = await screen.findByTestId('audit-changes');
    const nameRow = within(changes).getByText('name').closest('tr');
    if (!(nameRow instanceof HTMLElement)) throw new Error('no row for name');
    expect(within(nameRow).getByText('Acme')).toBeInTheDocument();
    expect(within(nameRow).getByText('Acme Ltd')).toBeInTheDocument();
    expect(within(changes).getByText('["vip"]')).toBeInTheDocument();
  }, 60_000);

  it('puts a chosen filter in the URL and the query, and exports with the filters', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const { lists, exports } = stubApi();
    // jsdom has no object URLs: the download's own are stubbed for this test
    const createObjectURL = vi.fn(() => 'blob:audit');
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    const user = userEvent.setup();
    renderWithApp(<AuditTab />, { path: '/settings/audit?entity_type=user' });
    await waitFor(() => expect(lists).toHaveLength(1));

    await user.click(screen.getByTestId('audit-filter-action'));
    await user.click(await screen.findByTitle('Session ended'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/settings/audit?entity_type=user&action=end_session'));
    await waitFor(() => expect(lists.at(-1)?.get('action')).toBe('end_session'));
    expect(lists.at(-1)?.get('entity_type')).toBe('user');

    await user.click(screen.getByTestId('audit-filter-actor'));
    await user.click(await screen.findByTitle('Li Na (lina@example.com)'));
    await waitFor(() => expect(lists.at(-1)?.get('actor_id')).toBe('u2'));

    await user.click(screen.getByTestId('audit-export'));
    await waitFor(() => expect(exports).toHaveLength(1));
    expect(Object.fromEntries(exports[0]!.query)).toEqual({ actor_id: 'u2', entity_type: 'user', action: 'end_session', format: 'csv' });
    expect(exports[0]!.auth).toBe('Bearer a');
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(createObjectURL).toHaveBeenCalled();
    expect(await screen.findByText('Exported audit-20260302.csv')).toBeInTheDocument();

    // clearing the filters empties the URL
    await user.click(screen.getByTestId('filter-clear'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/settings\/audit$/));
    click.mockRestore();
    Reflect.deleteProperty(URL, 'createObjectURL');
    Reflect.deleteProperty(URL, 'revokeObjectURL');
  }, 60_000);

  it('shows a change that is not field by field as JSON, and an empty one as such', async () => {
    await i18n.changeLanguage('zh-CN');
    const { rerender } = render(<AuditChanges changes={{ after: { name: 'ERP' } }} />);
    expect(screen.getByTestId('audit-changes-json').textContent).toBe(JSON.stringify({ after: { name: 'ERP' } }, null, 2));
    rerender(<AuditChanges changes={{}} />);
    expect(screen.getByText('没有记录详细内容。')).toBeInTheDocument();
    rerender(<AuditChanges changes={{ secret: 'rotated', status: { old: 'active', new: 'paused' } }} />);
    expect(within(screen.getByTestId('audit-changes')).getByText('rotated')).toBeInTheDocument();
    expect(screen.getByText('修改前')).toBeInTheDocument();
    await i18n.changeLanguage('en');
  });

  it('names a reveal in both languages and shows the fields it showed in clear by their names', async () => {
    await i18n.changeLanguage('zh-CN');
    const { rerender } = render(<AuditChanges changes={{ fields: ['mobile', 'email', 'wechat', 'birthday'] }} action="reveal" entityType="contact" />);
    const fields = screen.getByTestId('audit-revealed-fields');
    expect(fields).toHaveTextContent('明文查看的字段');
    expect([...fields.querySelectorAll('.ant-tag')].map((t) => t.textContent)).toEqual(['手机', '邮箱', '微信', '生日']);
    rerender(<AuditChanges changes={{ fields: ['id_number', 'bank_account'] }} action="reveal" entityType="customer" />);
    expect([...screen.getByTestId('audit-revealed-fields').querySelectorAll('.ant-tag')].map((t) => t.textContent)).toEqual(['证件号码', '银行账号']);
    expect(auditActionLabel(i18n.t, 'reveal')).toBe('查看个人信息');
    await i18n.changeLanguage('en');
    rerender(<AuditChanges changes={{ fields: ['phone', 'address', 'id_card'] }} action="reveal" entityType="customer" />);
    // a field this version has no name for, as the server wrote it
    expect([...screen.getByTestId('audit-revealed-fields').querySelectorAll('.ant-tag')].map((t) => t.textContent)).toEqual(['Phone', 'Address', 'id_card']);
    expect(auditActionLabel(i18n.t, 'reveal')).toBe('Revealed personal data');
    // the same shape under another action is no reveal
    rerender(<AuditChanges changes={{ fields: ['phone'] }} action="update" entityType="customer" />);
    expect(screen.queryByTestId('audit-revealed-fields')).toBeNull();
  });

  it('filters by reveals: the action in the URL is known, named in the filter and sent', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const { lists } = stubApi();
    renderWithApp(<AuditTab />, { path: '/settings/audit?action=reveal' });
    await waitFor(() => expect(lists).toHaveLength(1));
    expect(lists[0]?.get('action')).toBe('reveal');
    expect(screen.getByTestId('audit-filter-action')).toHaveTextContent('查看个人信息');
    await i18n.changeLanguage('en');
  }, 60_000);
});
