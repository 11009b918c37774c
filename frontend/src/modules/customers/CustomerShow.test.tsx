import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Customer } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import CustomerShow from './CustomerShow';

afterEach(() => vi.unstubAllGlobals());

const masked: Customer = {
  id: 'c1', kind: 'individual', name: '张伟', industry: null, size_band: null, province: null, city: null, district: null,
  address: null, phone: null, email: null, website: null, credit_code: null, source_channel: null, lifecycle_stage: 'prospect',
  value_tier: null, tags: [], custom_fields: {}, gender: null, birthday: null, preferences: null, notes: null,
  id_type: 'id_card', id_number: '110***********002X', bank_name: '招商银行上海分行', bank_account: '***************0123',
  owner_id: 'u1', owner_name: 'Owner', team_id: null, team_name: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  version: 2, order_count: 0, total_spend_minor: 0, external_ids: {}, masked: ['id_number', 'bank_account'],
};
const clear: Customer = { ...masked, id_number: '11010519491231002X', bank_account: '6222021234567890123', masked: [] };

/** The API: the customer as `record`, its reveal in clear; the writes are kept. */
function stubApi(record: Customer) {
  const writes: { method: string; path: string }[] = [];
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
    if (url.pathname === '/api/v1/customers/c1' && req.method === 'GET') return json(200, record);
    if (req.method === 'GET') return json(200, { data: [], next_cursor: null });
    writes.push({ method: req.method, path: url.pathname });
    if (url.pathname === '/api/v1/customers/c1/reveal') return json(200, clear);
    return json(404, { title: 'Not found', status: 404 });
  }));
  return writes;
}

function renderShow() {
  return renderWithApp(
    <Routes>
      <Route path="/customers/:id" element={<CustomerShow />} />
    </Routes>,
    { path: '/customers/c1' },
  );
}

describe('the customer page', () => {
  it('shows the identity document and bank account, the numbers masked with the eye that shows them in clear (audited)', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const writes = stubApi(masked);
    const user = userEvent.setup();
    renderShow();

    const idNumber = await screen.findByTestId('customer-id_number', {}, { timeout: 10_000 });
    const profile = screen.getByTestId('customer-profile');
    expect(within(profile).getByText('证件类型')).toBeInTheDocument();
    expect(screen.getByTestId('customer-id_type')).toHaveTextContent('居民身份证');
    expect(idNumber).toHaveTextContent('110***********002X');
    expect(idNumber).toHaveAttribute('data-masked', 'true');
    expect(screen.getByTestId('customer-bank_name')).toHaveTextContent('招商银行上海分行');
    const account = screen.getByTestId('customer-bank_account');
    expect(account).toHaveTextContent('***************0123');
    expect(within(account).getByTestId('personal-reveal')).toHaveAccessibleName('查看完整信息（将记录审计）');
    expect(within(profile).getAllByTestId('personal-reveal')).toHaveLength(2);

    await user.click(within(idNumber).getByTestId('personal-reveal'));
    await waitFor(() => expect(screen.getByTestId('customer-id_number')).toHaveTextContent('11010519491231002X'));
    expect(screen.getByTestId('customer-bank_account')).toHaveTextContent('6222021234567890123');
    expect(within(screen.getByTestId('customer-profile')).queryAllByTestId('personal-reveal')).toHaveLength(0);
    expect(writes).toEqual([{ method: 'POST', path: '/api/v1/customers/c1/reveal' }]);
  }, 30_000);

  it('shows a company its bank account but no identity document', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    stubApi({ ...clear, kind: 'company', name: 'ACME', id_type: null, id_number: null });
    renderShow();

    expect(await screen.findByTestId('customer-bank_account', {}, { timeout: 10_000 })).toHaveTextContent('6222021234567890123');
    expect(screen.getByTestId('customer-bank_name')).toHaveTextContent('招商银行上海分行');
    expect(screen.queryByTestId('customer-id_number')).toBeNull();
    expect(screen.queryByTestId('customer-id_type')).toBeNull();
  }, 30_000);
});
