import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../i18n';
import { tokenStore } from '../api/tokens';
import { json } from '../test/render';
import { renderAppAt } from '../test/renderApp';

const all = { read: 'all', create: 'all', update: 'all', delete: 'all', export: 'all' };
const me = {
  id: 'u1', email: 'admin@example.com', display_name: 'Admin', locale: 'en', active: true,
  role: { id: 'r1', key: 'admin', name: 'Administrator' }, teams: [],
  permissions: Object.fromEntries(['customers', 'contacts', 'users', 'teams', 'roles'].map((r) => [r, all])),
};
const unauthorized = () => json(401, { type: '/problems/unauthorized', title: 'Unauthorized', status: 401 });

afterEach(() => vi.unstubAllGlobals());

describe('session', () => {
  it('sends an expired session to sign-in and back to where the user was', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'old', refreshToken: 'revoked', expiresAt: Date.now() + 60_000 });
    const seen: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url, 'http://localhost');
      seen.push(`${req.method} ${url.pathname}`);
      const token = req.headers.get('Authorization');
      if (url.pathname === '/api/v1/auth/refresh') return unauthorized();
      if (url.pathname === '/api/v1/auth/login') {
        const body = (await req.json()) as { password: string };
        if (body.password !== 'right') return json(401, { type: '/problems/unauthorized', title: 'Unauthorized', status: 401, code: 'auth.invalid_credentials' });
        return json(200, { access_token: 'new', refresh_token: 'r2', token_type: 'Bearer', expires_in: 900, user: me });
      }
      if (token !== 'Bearer new') return unauthorized();
      if (url.pathname === '/api/v1/auth/me') return json(200, me);
      if (url.pathname === '/api/v1/customers') return json(200, { data: [], next_cursor: null, total: 0 });
      return json(200, { data: [], next_cursor: null });
    }));

    const user = userEvent.setup();
    renderAppAt('/customers?q=acme');

    // the stored session is refused: back to sign-in with a notice
    expect(await screen.findByTestId('session-expired', {}, { timeout: 15000 })).toBeInTheDocument();
    expect(tokenStore.get()).toBeNull();
    expect(seen).toContain('POST /api/v1/auth/refresh');

    await user.type(screen.getByTestId('signin-email'), 'admin@example.com');
    await user.type(screen.getByTestId('signin-password'), 'wrong');
    await user.click(screen.getByTestId('signin-submit'));
    expect(await screen.findByTestId('signin-error')).toHaveTextContent('The email or password is wrong.');

    await user.clear(screen.getByTestId('signin-password'));
    await user.type(screen.getByTestId('signin-password'), 'right');
    await user.click(screen.getByTestId('signin-submit'));

    // back on the customer list with the same search
    const search = await screen.findByTestId('customer-search', {}, { timeout: 15000 });
    await waitFor(() => expect(search.querySelector('input')?.value).toBe('acme'));
    expect(tokenStore.get()?.accessToken).toBe('new');
  }, 40_000);

  it('hides modules the role may not read', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'new', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const viewer = { ...me, permissions: { customers: { ...all, create: 'none', update: 'none', delete: 'none' } } };
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url, 'http://localhost');
      if (url.pathname === '/api/v1/auth/me') return json(200, viewer);
      return json(200, { data: [], next_cursor: null, total: 0 });
    }));
    renderAppAt('/customers');
    expect(await screen.findByTestId('nav-customers', {}, { timeout: 15000 })).toBeInTheDocument();
    expect(screen.queryByTestId('nav-settings')).toBeNull();
    expect(screen.queryByTestId('nav-sales')).toBeNull();
  }, 40_000);
});
