import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Session } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { UsersTab } from './UsersTab';

const lina = { id: 'u2', email: 'lina@example.com', display_name: 'Li Na', role_id: 'r2', team_ids: [], locale: 'en', active: true, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 1 };
const session = (over: Partial<Session>): Session => ({
  id: 's1', user_id: 'u2', created_at: '2026-03-01T08:00:00Z', last_active_at: '2026-03-02T09:15:00Z', expires_at: '2026-03-31T08:00:00Z',
  ip: '10.0.0.8', user_agent: 'curl/8.5.0', current: false, ...over,
});

afterEach(() => vi.unstubAllGlobals());

describe('UsersTab sessions', () => {
  it("lets an administrator see a user's sessions in a drawer and end one", async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const rows = [session({}), session({ id: 's2', ip: '10.0.0.9', user_agent: null })];
    const calls: { method: string; path: string }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/users') return json(200, { data: [lina], next_cursor: null });
      if (url.pathname === '/api/v1/roles' || url.pathname === '/api/v1/teams') return json(200, { data: [], next_cursor: null });
      if (url.pathname === '/api/v1/users/u2/sessions') return json(200, { data: rows, next_cursor: null });
      calls.push({ method: req.method, path: url.pathname });
      if (req.method === 'DELETE' && url.pathname === '/api/v1/users/u2/sessions/s1') {
        rows.shift();
        return json(204, null);
      }
      return json(404, { title: 'Not found', status: 404 });
    }));
    const user = userEvent.setup();
    renderWithApp(<UsersTab />, { path: '/settings/users' });

    const users = await screen.findByTestId('users-table');
    await user.click(await within(users).findByTestId('user-sessions'));
    const drawer = await screen.findByTestId('user-sessions-drawer');
    expect(drawer).toHaveTextContent('Sessions of Li Na');
    const table = within(drawer).getByTestId('sessions-table');
    await waitFor(() => expect(within(table).getByText('10.0.0.8')).toBeInTheDocument());
    expect(within(table).getByText('curl 8.5.0')).toBeInTheDocument();
    expect(within(table).getByText('Unknown device')).toBeInTheDocument();
    expect(within(table).queryByTestId('session-current')).not.toBeInTheDocument();

    const row = within(table).getByText('10.0.0.8').closest('tr');
    if (!(row instanceof HTMLElement)) throw new Error('no row for the session');
    await user.click(within(row).getByTestId('session-end'));
    await user.click(await screen.findByTestId('session-end-confirm'));
    await waitFor(() => expect(calls).toEqual([{ method: 'DELETE', path: '/api/v1/users/u2/sessions/s1' }]));
    await waitFor(() => expect(within(table).queryByText('10.0.0.8')).not.toBeInTheDocument());
    expect(within(table).getByText('10.0.0.9')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/settings/users');
  }, 60_000);

  it('offers no sessions to a role that may edit users but is not an administrator', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const manager = { ...adminMe, permissions: { ...adminMe.permissions, roles: { read: 'all', create: 'none', update: 'none', delete: 'none', export: 'none' } } };
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, manager);
      if (url.pathname === '/api/v1/users') return json(200, { data: [lina], next_cursor: null });
      return json(200, { data: [], next_cursor: null });
    }));
    renderWithApp(<UsersTab />, { path: '/settings/users' });
    const users = await screen.findByTestId('users-table');
    await within(users).findAllByTestId('user-edit');
    expect(within(users).queryByTestId('user-sessions')).not.toBeInTheDocument();
  }, 60_000);
});
