import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import dayjs from 'dayjs';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { ApiKey } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { ApiKeysTab, apiKeyPatch } from './ApiKeysTab';

const role = { id: 'role-int', key: 'integration', name: 'Integration', description: '', built_in: true, permissions: {}, created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z', version: 1 };

const key: ApiKey = {
  id: 'k1', name: 'ERP sync', prefix: 'crm_Ab3dE9xY', user_id: 'u-k1', role_id: 'role-int', role_key: 'integration', status: 'active',
  expires_at: null, allowed_addresses: ['10.20.0.0/16'], last_used_at: '2026-03-02T08:30:00Z', last_used_ip: '10.20.1.5',
  revoked_at: null, replaced_by_id: null, created_by: 'u1', created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z', version: 3,
};

afterEach(() => vi.unstubAllGlobals());

describe('ApiKeysTab', () => {
  it('lists keys, shows a new key once and revokes with DELETE', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const rows: ApiKey[] = [key];
    const calls: { method: string; path: string; ifMatch: string | null; idempotency: string | null; body: unknown }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/roles') return json(200, { data: [role], next_cursor: null });
      if (url.pathname === '/api/v1/api-keys' && req.method === 'GET') return json(200, { data: rows, next_cursor: null });
      const body = req.method === 'DELETE' ? null : ((await req.json()) as Record<string, unknown>);
      calls.push({ method: req.method, path: url.pathname, ifMatch: req.headers.get('If-Match'), idempotency: req.headers.get('Idempotency-Key'), body });
      if (req.method === 'POST' && url.pathname === '/api/v1/api-keys') {
        const made: ApiKey = { ...key, id: 'k2', name: 'BI export', prefix: 'crm_Zz9yX8wV', allowed_addresses: [], last_used_at: null, last_used_ip: null, version: 1 };
        rows.unshift(made);
        return json(201, { api_key: 'crm_Zz9yX8wVsecretsecretsecret', key: made });
      }
      if (req.method === 'DELETE') return json(204, null);
      return json(404, { title: 'Not found', status: 404 });
    }));
    const user = userEvent.setup();
    renderWithApp(<ApiKeysTab />);

    const table = await screen.findByTestId('api-keys-table');
    await waitFor(() => expect(within(table).getByText('ERP sync')).toBeInTheDocument());
    expect(within(table).getByText('crm_Ab3dE9xY')).toBeInTheDocument();
    expect(within(table).getByText('Integration')).toBeInTheDocument();
    expect(within(table).getByTestId('api-key-status')).toHaveTextContent('Active');
    expect(within(table).getByText('Never')).toBeInTheDocument();
    expect(within(table).getByText('10.20.1.5')).toBeInTheDocument();
    expect(within(table).getByText('10.20.0.0/16')).toBeInTheDocument();

    // a new key: its secret is shown once, with the warning
    await user.click(screen.getByTestId('api-key-new'));
    await user.type(await screen.findByTestId('api-key-name'), 'BI export');
    await user.click(screen.getByTestId('api-key-role'));
    await user.click(await screen.findByTitle('Integration'));
    await user.click(screen.getByTestId('api-key-save'));
    expect(await screen.findByTestId('api-key-secret')).toHaveValue('crm_Zz9yX8wVsecretsecretsecret');
    expect(screen.getByTestId('api-key-issued-warning')).toHaveTextContent('will not be shown again');
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/v1/api-keys', body: { name: 'BI export', role_id: 'role-int' } });
    expect(calls[0]?.idempotency).toBeTruthy();
    await user.click(screen.getByTestId('api-key-issued-done'));
    await waitFor(() => expect(screen.queryByTestId('api-key-secret')).not.toBeInTheDocument());
    await waitFor(() => expect(within(table).getByText('BI export')).toBeInTheDocument());

    // revoking asks first, then deletes with the version seen
    const erpRow = within(table).getByText('ERP sync').closest('tr');
    if (!(erpRow instanceof HTMLElement)) throw new Error('no row for ERP sync');
    await user.click(within(erpRow).getByTestId('api-key-revoke'));
    await user.click(await screen.findByTestId('api-key-revoke-confirm'));
    await waitFor(() => expect(calls[1]).toEqual({ method: 'DELETE', path: '/api/v1/api-keys/k1', ifMatch: '"3"', idempotency: null, body: null }));
  }, 60_000);

  it('patches only the changed fields, a cleared expiry as null', () => {
    const expiring = { ...key, expires_at: '2027-01-01T00:00:00Z' };
    expect(apiKeyPatch(expiring, { name: 'ERP sync', role_id: 'role-int', expires_at: dayjs('2027-01-01T00:00:00Z'), allowed_addresses: ['10.20.0.0/16'] })).toEqual({});
    expect(apiKeyPatch(expiring, { name: ' ERP v2 ', role_id: 'role-int', expires_at: null, allowed_addresses: [] })).toEqual({
      name: 'ERP v2', expires_at: null, allowed_addresses: [],
    });
  });
});
