import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp } from 'antd';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { createQueryClient } from '../../app/queryClient';
import type { Customer } from '../../api/types';
import CustomerEdit from './CustomerEdit';
import { toFormValues, toUpdatePatch } from './CustomerForm';

const customer: Customer = {
  id: 'c1', kind: 'company', name: 'ACME', industry: 'IT', size_band: null, province: null, city: null, district: null,
  address: null, phone: null, email: null, website: null, credit_code: null, source_channel: null, lifecycle_stage: 'prospect',
  value_tier: null, tags: [], custom_fields: {}, gender: null, birthday: null, preferences: null, notes: null, owner_id: 'u1',
  owner_name: 'Owner', team_id: null, team_name: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 1, order_count: 0, total_spend_minor: 0, external_ids: {}, masked: [],
};

const all = { read: 'all', create: 'all', update: 'all', delete: 'all', export: 'all' };
const me = {
  id: 'u1', email: 'a@example.com', display_name: 'A', locale: 'en', active: true, role: { id: 'r', key: 'admin', name: 'Admin' },
  teams: [], permissions: { customers: all, users: all, teams: all },
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json' } });

afterEach(() => vi.unstubAllGlobals());

describe('CustomerEdit', () => {
  it('on 412 reloads the latest version and reapplies the user\'s changes, then saves with the new If-Match', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    // someone else changed the address meanwhile: the server is at version 2
    let server = { ...customer };
    const patches: { ifMatch: string | null; body: unknown }[] = [];
    let firstGet = true;
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/customers/c1' && req.method === 'GET') {
        const body = firstGet ? customer : server;
        firstGet = false;
        return json(200, body);
      }
      if (url.pathname === '/api/v1/customers/c1' && req.method === 'PATCH') {
        const ifMatch = req.headers.get('If-Match');
        const body = (await req.json()) as object;
        patches.push({ ifMatch, body });
        if (ifMatch !== `"${server.version}"`) return json(412, { type: '/problems/stale', title: 'Precondition failed', status: 412 });
        server = { ...server, ...body, version: server.version + 1 };
        return json(200, server);
      }
      if (url.pathname === '/api/v1/auth/me') return json(200, me);
      return json(200, { data: [], next_cursor: null });
    }));
    server = { ...customer, address: '上海市浦东新区世纪大道 100 号', version: 2 };

    const user = userEvent.setup();
    render(
      <QueryClientProvider client={createQueryClient()}>
        <AntApp>
          <MemoryRouter initialEntries={['/customers/c1/edit']}>
            <Routes>
              <Route path="/customers/:id/edit" element={<CustomerEdit />} />
              <Route path="/customers/:id" element={<div data-testid="show-page" />} />
            </Routes>
          </MemoryRouter>
        </AntApp>
      </QueryClientProvider>,
    );

    const name = await screen.findByTestId('customer-name', {}, { timeout: 10_000 });
    await user.clear(name);
    await user.type(name, 'ACME Holdings');
    await user.click(screen.getByTestId('customer-save'));

    expect(await screen.findByTestId('stale-notice')).toBeInTheDocument();
    expect(patches[0]).toEqual({ ifMatch: '"1"', body: { name: 'ACME Holdings' } });

    await user.click(screen.getByTestId('stale-reload'));
    await waitFor(() => expect(screen.queryByTestId('stale-notice')).toBeNull());
    // the user's change is kept, the other person's change is loaded
    expect(screen.getByTestId<HTMLInputElement>('customer-name').value).toBe('ACME Holdings');
    expect(screen.getByTestId<HTMLInputElement>('customer-address').value).toBe('上海市浦东新区世纪大道 100 号');

    await user.click(screen.getByTestId('customer-save'));
    expect(await screen.findByTestId('show-page')).toBeInTheDocument();
    expect(patches[1]).toEqual({ ifMatch: '"2"', body: { name: 'ACME Holdings' } });
    expect(server).toMatchObject({ name: 'ACME Holdings', address: '上海市浦东新区世纪大道 100 号', version: 3 });
  }, 40_000);

  it('shows masked fields disabled with the eye; saving untouched never sends them; the eye reveals (audited) and fills them in clear', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const masked: Customer = {
      ...customer, kind: 'individual', phone: '138****5678', email: 'z***@lianhua.cn', address: '上海市徐汇区****', birthday: null,
      masked: ['phone', 'email', 'address', 'birthday'],
    };
    const clear: Customer = { ...masked, phone: '+8613812345678', email: 'zhang.wei@lianhua.cn', address: '上海市徐汇区漕溪北路 88 号', birthday: '1985-03-04', masked: [] };
    const sent: { method: string; path: string; body: unknown }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      const body = req.method === 'PATCH' ? ((await req.json()) as object) : undefined;
      if (url.pathname.startsWith('/api/v1/customers/c1')) sent.push({ method: req.method, path: url.pathname, body });
      if (url.pathname === '/api/v1/customers/c1' && req.method === 'GET') return json(200, masked);
      if (url.pathname === '/api/v1/customers/c1/reveal' && req.method === 'POST') return json(200, clear);
      if (url.pathname === '/api/v1/customers/c1' && req.method === 'PATCH') return json(200, { ...masked, ...body, version: 2 });
      if (url.pathname === '/api/v1/auth/me') return json(200, me);
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    const page = () =>
      render(
        <QueryClientProvider client={createQueryClient()}>
          <AntApp>
            <MemoryRouter initialEntries={['/customers/c1/edit']}>
              <Routes>
                <Route path="/customers/:id/edit" element={<CustomerEdit />} />
                <Route path="/customers/:id" element={<div data-testid="show-page" />} />
              </Routes>
            </MemoryRouter>
          </AntApp>
        </QueryClientProvider>,
      );

    // 1. saved without revealing: the masked values stay out of the patch
    const first = page();
    const phone = await screen.findByTestId<HTMLInputElement>('customer-phone', {}, { timeout: 10_000 });
    expect(phone).toBeDisabled();
    expect(phone.value).toBe('138****5678');
    expect(screen.getByTestId<HTMLInputElement>('customer-email')).toBeDisabled();
    expect(screen.getByTestId<HTMLInputElement>('customer-address')).toBeDisabled();
    expect(screen.getByTestId('masked-field-phone')).toHaveTextContent('已脱敏：查看完整信息（将记录审计）后才能修改');
    expect(screen.getByTestId('reveal-phone')).toHaveAccessibleName('查看完整信息（将记录审计）');
    expect(screen.getByTestId('reveal-birthday')).toBeInTheDocument();
    await user.type(screen.getByTestId('customer-name'), ' 2');
    await user.click(screen.getByTestId('customer-save'));
    expect(await screen.findByTestId('show-page')).toBeInTheDocument();
    expect(sent.filter((r) => r.method !== 'GET')).toEqual([{ method: 'PATCH', path: '/api/v1/customers/c1', body: { name: 'ACME 2' } }]);
    first.unmount();
    sent.length = 0;

    // 2. the eye reveals the record once and fills the inputs in clear; only what was changed is sent
    page();
    await user.type(await screen.findByTestId('customer-name', {}, { timeout: 10_000 }), ' 3');
    await user.click(screen.getByTestId('reveal-email'));
    await waitFor(() => expect(screen.getByTestId<HTMLInputElement>('customer-phone')).toBeEnabled());
    expect(screen.getByTestId<HTMLInputElement>('customer-phone').value).toBe('138 1234 5678');
    expect(screen.getByTestId<HTMLInputElement>('customer-address').value).toBe('上海市徐汇区漕溪北路 88 号');
    // the name typed before the reveal is kept
    expect(screen.getByTestId<HTMLInputElement>('customer-name').value).toBe('ACME 3');
    expect(screen.queryAllByTestId(/^reveal-/)).toHaveLength(0);
    const email = screen.getByTestId<HTMLInputElement>('customer-email');
    expect(email).toBeEnabled();
    expect(email.value).toBe('zhang.wei@lianhua.cn');
    await user.clear(email);
    await user.type(email, 'wei.zhang@lianhua.cn');
    await user.click(screen.getByTestId('customer-save'));
    expect(await screen.findByTestId('show-page')).toBeInTheDocument();
    expect(sent.filter((r) => r.method !== 'GET')).toEqual([
      { method: 'POST', path: '/api/v1/customers/c1/reveal', body: undefined },
      { method: 'PATCH', path: '/api/v1/customers/c1', body: { name: 'ACME 3', email: 'wei.zhang@lianhua.cn' } },
    ]);
  }, 40_000);

  it('an identity document and bank account masked: the numbers disabled with the eye and never sent unless changed after the reveal', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const masked: Customer = {
      ...customer, kind: 'individual', id_type: 'id_card', id_number: '110***********002X', bank_name: '招商银行', bank_account: '***************0123',
      masked: ['id_number', 'bank_account'],
    };
    const clear: Customer = { ...masked, id_number: '11010519491231002X', bank_account: '6222021234567890123', masked: [] };
    const sent: { method: string; path: string; body: unknown }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      const body = req.method === 'PATCH' ? ((await req.json()) as object) : undefined;
      if (url.pathname.startsWith('/api/v1/customers/c1') && req.method !== 'GET') sent.push({ method: req.method, path: url.pathname, body });
      if (url.pathname === '/api/v1/customers/c1' && req.method === 'GET') return json(200, masked);
      if (url.pathname === '/api/v1/customers/c1/reveal' && req.method === 'POST') return json(200, clear);
      if (url.pathname === '/api/v1/customers/c1' && req.method === 'PATCH') return json(200, { ...masked, ...body, version: 2 });
      if (url.pathname === '/api/v1/auth/me') return json(200, me);
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    const page = () =>
      render(
        <QueryClientProvider client={createQueryClient()}>
          <AntApp>
            <MemoryRouter initialEntries={['/customers/c1/edit']}>
              <Routes>
                <Route path="/customers/:id/edit" element={<CustomerEdit />} />
                <Route path="/customers/:id" element={<div data-testid="show-page" />} />
              </Routes>
            </MemoryRouter>
          </AntApp>
        </QueryClientProvider>,
      );

    // 1. not revealed: the numbers show masked and cannot be typed into; the rest is edited as ever
    const first = page();
    const idNumber = await screen.findByTestId<HTMLInputElement>('customer-id_number', {}, { timeout: 10_000 });
    expect(idNumber).toBeDisabled();
    expect(idNumber.value).toBe('110***********002X');
    expect(screen.getByTestId<HTMLInputElement>('customer-bank_account')).toBeDisabled();
    expect(screen.getByTestId<HTMLInputElement>('customer-bank_account').value).toBe('***************0123');
    expect(screen.getByTestId('masked-field-id_number')).toHaveTextContent('已脱敏：查看完整信息（将记录审计）后才能修改');
    expect(screen.getByTestId('reveal-bank_account')).toBeInTheDocument();
    expect(screen.getByTestId('customer-id_type').closest('.ant-form-item')).toHaveTextContent('居民身份证');
    const bankName = screen.getByTestId<HTMLInputElement>('customer-bank_name');
    expect(bankName).toBeEnabled();
    await user.clear(bankName);
    await user.type(bankName, '招商银行上海分行');
    await user.click(screen.getByTestId('customer-save'));
    expect(await screen.findByTestId('show-page')).toBeInTheDocument();
    expect(sent).toEqual([{ method: 'PATCH', path: '/api/v1/customers/c1', body: { bank_name: '招商银行上海分行' } }]);
    first.unmount();
    sent.length = 0;

    // 2. the eye fills both numbers in clear; only the one changed is sent
    page();
    await user.click(await screen.findByTestId('reveal-id_number', {}, { timeout: 10_000 }));
    await waitFor(() => expect(screen.getByTestId<HTMLInputElement>('customer-id_number')).toBeEnabled());
    expect(screen.getByTestId<HTMLInputElement>('customer-id_number').value).toBe('11010519491231002X');
    const account = screen.getByTestId<HTMLInputElement>('customer-bank_account');
    expect(account).toBeEnabled();
    expect(account.value).toBe('6222021234567890123');
    await user.clear(account);
    await user.type(account, '6222 0212 3456 7890 999');
    await user.click(screen.getByTestId('customer-save'));
    expect(await screen.findByTestId('show-page')).toBeInTheDocument();
    expect(sent).toEqual([
      { method: 'POST', path: '/api/v1/customers/c1/reveal', body: undefined },
      { method: 'PATCH', path: '/api/v1/customers/c1', body: { bank_account: '6222 0212 3456 7890 999' } },
    ]);
  }, 40_000);

  it('the patch never carries a field the record has masked, whatever the form holds', () => {
    const masked: Customer = { ...customer, phone: '138****5678', email: 'z***@lianhua.cn', masked: ['phone', 'email'] };
    const values = { ...toFormValues(masked), phone: '138****5679', email: '', name: 'ACME 2' };
    expect(toUpdatePatch(masked, values)).toEqual({ name: 'ACME 2' });
    expect(toUpdatePatch({ ...masked, masked: [] }, values)).toEqual({ phone: '138****5679', email: null, name: 'ACME 2' });
  });
});
