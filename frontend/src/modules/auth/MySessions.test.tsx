import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Session } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { renderAppAt } from '../../test/renderApp';
import MySessions from './MySessions';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';

const session = (over: Partial<Session>): Session => ({
  id: 's1', user_id: 'u1', created_at: '2026-03-01T08:00:00Z', last_active_at: '2026-03-02T09:15:00Z', expires_at: '2026-03-31T08:00:00Z',
  ip: '10.0.0.7', user_agent: CHROME, current: true, ...over,
});

afterEach(() => vi.unstubAllGlobals());

function stubApi(rows: Session[]) {
  const calls: { method: string; path: string }[] = [];
  let lists = 0;
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
    if (url.pathname === '/api/v1/auth/sessions' && req.method === 'GET') {
      lists += 1;
      return json(200, { data: rows, next_cursor: null });
    }
    calls.push({ method: req.method, path: url.pathname });
    if (req.method === 'DELETE') {
      const id = url.pathname.split('/').at(-1);
      rows.splice(rows.findIndex((r) => r.id === id), 1);
      return json(204, null);
    }
    if (url.pathname === '/api/v1/auth/logout') return json(204, null);
    return json(404, { title: 'Not found', status: 404 });
  }));
  return { calls, lists: () => lists };
}

describe('MySessions', () => {
  it('lists my sessions with this one marked, and ending another sends DELETE and refreshes the list', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const rows = [session({}), session({ id: 's2', current: false, ip: '203.0.113.9', user_agent: SAFARI })];
    const api = stubApi(rows);
    const user = userEvent.setup();
    renderWithApp(<MySessions />, { path: '/account/sessions' });

    const table = await screen.findByTestId('sessions-table');
    await waitFor(() => expect(within(table).getAllByTestId('session-device')).toHaveLength(2));
    expect(screen.getByRole('heading', { name: '我的登录会话' })).toBeInTheDocument();
    expect(within(table).getAllByTestId('session-device').map((d) => d.textContent)).toEqual(['Windows 上的 Chrome 120', 'iOS 上的 Safari 17']);
    const current = within(table).getByTestId('session-current');
    expect(current).toHaveTextContent('当前会话');
    expect(current.closest('tr')).toHaveTextContent('10.0.0.7');

    const other = within(table).getByText('203.0.113.9').closest('tr');
    if (!(other instanceof HTMLElement)) throw new Error('no row for the other session');
    const listed = api.lists();
    await user.click(within(other).getByTestId('session-end'));
    expect(await screen.findByText('结束该会话？那台设备将退出登录。')).toBeInTheDocument();
    await user.click(screen.getByTestId('session-end-confirm'));
    await waitFor(() => expect(api.calls).toEqual([{ method: 'DELETE', path: '/api/v1/auth/sessions/s2' }]));
    await waitFor(() => expect(within(table).queryByText('203.0.113.9')).not.toBeInTheDocument());
    expect(api.lists()).toBeGreaterThan(listed);
    expect(await screen.findByText('会话已结束')).toBeInTheDocument();
    expect(tokenStore.get()).not.toBeNull();
    await i18n.changeLanguage('en');
  }, 60_000);

  it('ending this session signs out, as "sign out" does', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const api = stubApi([session({})]);
    const user = userEvent.setup();
    renderWithApp(<MySessions />, { path: '/account/sessions' });

    const table = await screen.findByTestId('sessions-table');
    await user.click(await within(table).findByTestId('session-end'));
    expect(await screen.findByText(/ending it signs you out here/)).toBeInTheDocument();
    await user.click(screen.getByTestId('session-end-confirm'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/login'));
    expect(api.calls).toEqual([
      { method: 'DELETE', path: '/api/v1/auth/sessions/s1' },
      { method: 'POST', path: '/api/v1/auth/logout' },
    ]);
    expect(tokenStore.get()).toBeNull();
  }, 60_000);

  it('is reached from the user menu in the header', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/auth/sessions') return json(200, { data: [session({})], next_cursor: null });
      return json(200, { data: [], next_cursor: null, total: 0 });
    }));
    const user = userEvent.setup();
    renderAppAt('/customers');
    await user.click(await screen.findByTestId('user-menu'));
    await user.click(await screen.findByTestId('my-sessions'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/account/sessions'));
    expect(await screen.findByTestId('session-current', {}, { timeout: 15000 })).toHaveTextContent('This session');
    await waitFor(() => expect(document.title).toBe('My sessions · CRM'));
  }, 60_000);
});
