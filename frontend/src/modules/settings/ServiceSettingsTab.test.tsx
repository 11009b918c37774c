import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { json, renderWithApp } from '../../test/render';
import { ServiceSettingsTab } from './ServiceSettingsTab';

afterEach(() => vi.unstubAllGlobals());

const team = (id: string, name: string) => ({ id, name, parent_id: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 1 });
const user = (id: string, name: string, role: string) => ({
  id, email: `${id}@example.com`, display_name: name, locale: 'zh-CN', active: true, role_id: role, role_key: role, team_ids: ['t2'],
  created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 1,
});

describe('<ServiceSettingsTab>', () => {
  it("lists the chosen team's support agents and saves with the ETag as If-Match; a stale one offers a reload", async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const puts: { body: unknown; ifMatch: string | null }[] = [];
    let version = 3;
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/teams') return json(200, { data: [team('t1', 'Sales'), team('t2', 'Service desk')], next_cursor: null });
      if (url.pathname === '/api/v1/users') {
        return json(200, { data: url.searchParams.get('team_id') === 't2' ? [user('u1', '刘洋', 'support'), user('u2', 'Manager', 'manager')] : [], next_cursor: null });
      }
      if (url.pathname === '/api/v1/settings/service' && req.method === 'GET') {
        return new Response(JSON.stringify({ default_team_id: null }), { status: 200, headers: { 'Content-Type': 'application/json', ETag: `"${version}"` } });
      }
      if (url.pathname === '/api/v1/settings/service' && req.method === 'PUT') {
        const ifMatch = req.headers.get('If-Match');
        puts.push({ body: await req.json(), ifMatch });
        if (ifMatch !== `"${version}"`) return json(412, { type: '/problems/stale', title: 'Precondition failed', status: 412 });
        version += 1;
        return new Response(JSON.stringify({ default_team_id: 't2' }), { status: 200, headers: { 'Content-Type': 'application/json', ETag: `"${version}"` } });
      }
      return json(404, { type: 'about:blank', title: 'Not found', status: 404 });
    }));
    const u = userEvent.setup();
    renderWithApp(<ServiceSettingsTab />);
    const select = await screen.findByTestId('service-default-team', {}, { timeout: 10_000 });
    expect(screen.getByTestId('service-settings-save')).toBeDisabled();
    // someone else saves meanwhile: our ETag becomes stale
    version = 4;
    await u.click(select.querySelector('.ant-select-content, .ant-select-selector') ?? select);
    await u.click(await screen.findByText('Service desk'));
    expect(await screen.findByTestId('service-agents')).toHaveTextContent('刘洋');
    expect(screen.getByTestId('service-agents')).not.toHaveTextContent('Manager');
    await u.click(screen.getByTestId('service-settings-save'));
    expect(await screen.findByTestId('stale-notice')).toBeInTheDocument();
    expect(puts).toEqual([{ body: { default_team_id: 't2' }, ifMatch: '"3"' }]);
    // reload keeps the choice and saves with the new ETag
    await u.click(screen.getByTestId('stale-reload'));
    await waitFor(() => expect(screen.queryByTestId('stale-notice')).toBeNull());
    await u.click(screen.getByTestId('service-settings-save'));
    await waitFor(() => expect(puts).toHaveLength(2));
    expect(puts[1]).toEqual({ body: { default_team_id: 't2' }, ifMatch: '"4"' });
    await waitFor(() => expect(screen.getByTestId('service-settings-save')).toBeDisabled());
  }, 30_000);
});
