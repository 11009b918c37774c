import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp } from 'antd';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../../i18n';
import { tokenStore } from '../../../api/tokens';
import type { Customer } from '../../../api/types';
import { createQueryClient } from '../../../app/queryClient';
import { adminMe, json, Where } from '../../../test/render';
import CustomerCreate from '../CustomerCreate';
import CustomerEdit from '../CustomerEdit';
import CustomerShow from '../CustomerShow';
import DuplicateGroups from './DuplicateGroups';
import { checkBody } from './DuplicateCandidates';
import type { CustomerDuplicate, DuplicateGroup } from './useDuplicates';

afterEach(() => vi.unstubAllGlobals());
beforeEach(() => tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 }));

const base: Customer = {
  id: 'c1', kind: 'company', name: '联华超市', industry: null, size_band: null, province: '上海市', city: '上海市', district: null,
  address: null, phone: '13812345678', email: null, website: null, credit_code: null, source_channel: null, lifecycle_stage: 'prospect',
  value_tier: null, tags: [], custom_fields: {}, gender: null, birthday: null, preferences: null, notes: null,
  id_type: null, id_number: null, bank_name: null, bank_account: null,
  owner_id: 'u1', owner_name: 'Owner', team_id: null, team_name: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  version: 1, order_count: 0, total_spend_minor: 0, external_ids: {}, masked: [],
};
const customers: Record<string, Customer> = {
  c1: base,
  c2: { ...base, id: 'c2', name: '联华超市有限公司', owner_name: '王芳' },
  c3: { ...base, id: 'c3', name: '上海联华', owner_name: '李雷' },
  c4: { ...base, id: 'c4', name: '华联商厦', city: '北京市' },
  c5: { ...base, id: 'c5', name: '华联商厦（北京）', city: '北京市' },
};

const candidate = (id: string, reasons: string[], similarity: number): CustomerDuplicate => ({
  id, name: customers[id]!.name, city: customers[id]!.city ?? null, owner_id: 'u2', owner_name: customers[id]!.owner_name ?? null, reasons, similarity,
});

interface Calls {
  merges: { survivor: string; other: string; dryRun: boolean }[];
  checks: Record<string, unknown>[];
  groupCursors: (string | null)[];
}

/** The API: the customers above, the duplicate endpoints as given; what the check and the group list were asked is kept. */
function stubApi(opts: {
  check?: CustomerDuplicate[];
  of?: Record<string, CustomerDuplicate[]>;
  groups?: Record<string, { data: DuplicateGroup[]; next_cursor: string | null }>;
} = {}): Calls {
  const calls: Calls = { merges: [], checks: [], groupCursors: [] };
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path === '/api/v1/auth/me') return json(200, adminMe);
    if (path === '/api/v1/customers/duplicate-check' && req.method === 'POST') {
      calls.checks.push((await req.json()) as Record<string, unknown>);
      return json(200, { duplicate_candidates: opts.check ?? [] });
    }
    if (path === '/api/v1/customers/duplicates' && req.method === 'GET') {
      const cursor = url.searchParams.get('cursor');
      calls.groupCursors.push(cursor);
      return json(200, opts.groups?.[cursor ?? ''] ?? { data: [], next_cursor: null });
    }
    const of = /^\/api\/v1\/customers\/(\w+)\/duplicates$/.exec(path);
    if (of && req.method === 'GET') return json(200, { duplicate_candidates: opts.of?.[of[1]!] ?? [] });
    const merge = /^\/api\/v1\/customers\/(\w+)\/merge$/.exec(path);
    if (merge && req.method === 'POST') {
      const body = (await req.json()) as { other_id: string; dry_run: boolean };
      calls.merges.push({ survivor: merge[1]!, other: body.other_id, dryRun: body.dry_run });
      return json(200, {
        survivor: { ...customers[merge[1]!], version: 2 }, merged_id: body.other_id, moved: {}, taken_from_other: [], kept_external_ids: {}, dry_run: body.dry_run,
      });
    }
    const one = /^\/api\/v1\/customers\/(\w+)$/.exec(path);
    if (one && req.method === 'GET' && customers[one[1]!]) return json(200, customers[one[1]!]);
    if (req.method === 'GET') return json(200, { data: [], next_cursor: null });
    return json(404, { title: 'Not found', status: 404 });
  }));
  return calls;
}

function renderAt(path: string) {
  return render(
    <QueryClientProvider client={createQueryClient()}>
      <AntApp>
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route path="/customers/new" element={<CustomerCreate />} />
            <Route path="/customers/duplicates" element={<DuplicateGroups />} />
            <Route path="/customers/:id/edit" element={<CustomerEdit />} />
            <Route path="/customers/:id" element={<CustomerShow />} />
          </Routes>
          <Where />
        </MemoryRouter>
      </AntApp>
    </QueryClientProvider>,
  );
}

describe('the duplicate check in the customer form', () => {
  it('shows the candidates with their reasons when editing, and leaves the customer itself out', async () => {
    await i18n.changeLanguage('zh-CN');
    const calls = stubApi({ check: [candidate('c2', ['phone', 'name'], 0.82), candidate('c3', ['credit_code'], 0.4)] });
    renderAt('/customers/c1/edit');

    await screen.findByTestId('customer-name', {}, { timeout: 10_000 });
    const alert = await screen.findByTestId('duplicate-candidates', {}, { timeout: 10_000 });
    expect(alert).toHaveTextContent('可能重复的客户');
    const rows = within(alert).getAllByTestId('duplicate-candidate');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('联华超市有限公司');
    expect(rows[0]).toHaveTextContent('上海市');
    expect(rows[0]).toHaveTextContent('负责人：王芳');
    expect(within(rows[0]!).getByTestId('duplicate-reason-phone')).toHaveTextContent('同一电话');
    expect(within(rows[0]!).getByTestId('duplicate-reason-name')).toHaveTextContent('名称相似 82%');
    expect(within(rows[1]!).getByTestId('duplicate-reason-credit_code')).toHaveTextContent('同一信用代码');
    // the name opens the candidate's page in a new tab: the form being edited stays
    const link = within(rows[0]!).getByTestId('duplicate-link');
    expect(link).toHaveAttribute('href', '/customers/c2');
    expect(link).toHaveAttribute('target', '_blank');

    expect(calls.checks.at(-1)).toMatchObject({ name: '联华超市', province: '上海市', city: '上海市', exclude_id: 'c1' });
    expect(String(calls.checks.at(-1)?.phone).replace(/\D/g, '')).toBe('13812345678');
    // a warning: saving stays possible
    expect(screen.getByTestId('customer-save')).toBeEnabled();
  }, 40_000);

  it('checks what is typed in a new customer, without exclude_id, and shows nothing when nothing matches', async () => {
    await i18n.changeLanguage('en');
    const calls = stubApi({ check: [] });
    const user = userEvent.setup();
    renderAt('/customers/new');

    await user.type(await screen.findByTestId('customer-name'), 'ACME');
    await user.type(screen.getByTestId('customer-email'), 'sales@acme.cn');
    await waitFor(() => expect(calls.checks.at(-1)).toEqual({ name: 'ACME', email: 'sales@acme.cn' }));
    // typed quickly: one check for what was there once the typing stopped, not one per key
    expect(calls.checks.length).toBeLessThanOrEqual(2);
    expect(screen.queryByTestId('duplicate-candidates')).not.toBeInTheDocument();
  }, 40_000);

  it('shows the candidates in English too', async () => {
    await i18n.changeLanguage('en');
    stubApi({ check: [candidate('c2', ['email'], 0.1)] });
    const user = userEvent.setup();
    renderAt('/customers/new');
    await user.type(await screen.findByTestId('customer-email'), 'sales@lianhua.cn');
    const alert = await screen.findByTestId('duplicate-candidates');
    expect(alert).toHaveTextContent('Possible duplicates');
    expect(within(alert).getByTestId('duplicate-reason-email')).toHaveTextContent('Same email');
  }, 40_000);

  it('leaves out blank and masked values, and the credit code of an individual', () => {
    expect(checkBody({ name: '  ', phone: '138****5678', email: '', region: [] })).toEqual({});
    expect(checkBody({ kind: 'individual', name: '张三', credit_code: '91310000MA1FL8XQ30', region: ['北京市', '北京市', '朝阳区'] }, 'c9'))
      .toEqual({ name: '张三', province: '北京市', city: '北京市', exclude_id: 'c9' });
  }, 40_000);
});

describe("the possible duplicates on a customer's page", () => {
  it('lists them and merges one into this customer through the wizard, that customer already picked', async () => {
    await i18n.changeLanguage('zh-CN');
    stubApi({ of: { c1: [candidate('c2', ['phone'], 0.9)] } });
    const user = userEvent.setup();
    renderAt('/customers/c1');

    const card = await screen.findByTestId('customer-duplicates');
    expect(card).toHaveTextContent('可能重复');
    expect(within(card).getByTestId('duplicate-reason-phone')).toHaveTextContent('同一电话');
    await user.click(within(card).getByTestId('duplicate-merge-c2'));

    const wizard = await screen.findByTestId('merge-wizard');
    expect(document.querySelector('.ant-modal-title')).toHaveTextContent('将重复客户合并到「联华超市」');
    await waitFor(() => expect(within(wizard).getByTestId('merge-other')).toHaveTextContent('联华超市有限公司'));
    await waitFor(() => expect(screen.getByTestId('merge-next')).toBeEnabled());
  }, 40_000);

  it('shows nothing when there are none', async () => {
    await i18n.changeLanguage('en');
    stubApi({ of: { c1: [] } });
    renderAt('/customers/c1');
    expect(await screen.findByTestId('customer-title')).toHaveTextContent('联华超市');
    await waitFor(() => expect(vi.mocked(fetch).mock.calls.some(([r]) => new URL((r as Request).url).pathname === '/api/v1/customers/c1/duplicates')).toBe(true));
    expect(screen.queryByTestId('customer-duplicates')).not.toBeInTheDocument();
  }, 40_000);
});

describe('the duplicates page', () => {
  const first: DuplicateGroup = { score: 1, reasons: ['phone'], members: [candidate('c1', ['phone'], 1), candidate('c2', ['phone'], 0.7)] };
  const second: DuplicateGroup = { score: 0.76, reasons: ['name'], members: [candidate('c4', ['name'], 0.76), candidate('c5', ['name'], 0.76)] };
  const groups = { '': { data: [first], next_cursor: 'n1' }, n1: { data: [second], next_cursor: null } };

  it('lists the groups and loads the next page with the cursor', async () => {
    await i18n.changeLanguage('zh-CN');
    const calls = stubApi({ groups });
    const user = userEvent.setup();
    renderAt('/customers/duplicates');

    expect(await screen.findByText('客户查重', { selector: 'h3' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('duplicate-group')).toHaveLength(1));
    const group = screen.getAllByTestId('duplicate-group')[0]!;
    expect(group).toHaveTextContent('联华超市有限公司');
    expect(within(group).getByTestId('duplicate-group-score')).toHaveTextContent('相似度 100%');
    expect(calls.groupCursors).toEqual([null]);

    await user.click(screen.getByTestId('duplicate-groups-more'));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-group')).toHaveLength(2));
    expect(calls.groupCursors).toEqual([null, 'n1']);
    const next = screen.getAllByTestId('duplicate-group')[1]!;
    expect(next).toHaveTextContent('华联商厦（北京）');
    expect(within(next).getByTestId('duplicate-group-score')).toHaveTextContent('相似度 76%');
    expect(within(next).getAllByTestId('duplicate-reason-name')[0]).toHaveTextContent('名称相似');
    expect(screen.queryByTestId('duplicate-groups-more')).not.toBeInTheDocument();
  }, 40_000);

  it('merges a member into the one chosen to keep: the wizard opens with both picked', async () => {
    await i18n.changeLanguage('en');
    stubApi({ groups });
    const user = userEvent.setup();
    renderAt('/customers/duplicates');

    // the first member is kept unless another is chosen (for those who may merge, once the session is read)
    expect(await screen.findByTestId('duplicate-kept-c1', {}, { timeout: 10_000 })).toBeInTheDocument();
    await user.click(screen.getByTestId('duplicate-keep-c2'));
    expect(screen.getByTestId('duplicate-kept-c2')).toBeInTheDocument();
    await user.click(screen.getByTestId('duplicate-merge-c1'));

    const wizard = await screen.findByTestId('merge-wizard');
    expect(document.querySelector('.ant-modal-title')).toHaveTextContent('联华超市有限公司');
    await waitFor(() => expect(within(wizard).getByTestId('merge-other')).toHaveTextContent('联华超市'));
    await waitFor(() => expect(screen.getByTestId('merge-next')).toBeEnabled());
    expect(screen.getByTestId('location')).toHaveTextContent('/customers/duplicates');
  }, 40_000);

  it('after a merge stays on the page and reads the groups again', async () => {
    await i18n.changeLanguage('en');
    const calls = stubApi({ groups });
    const user = userEvent.setup();
    renderAt('/customers/duplicates');

    await user.click(await screen.findByTestId('duplicate-merge-c2', {}, { timeout: 10_000 }));
    await screen.findByTestId('merge-wizard');
    await waitFor(() => expect(screen.getByTestId('merge-next')).toBeEnabled());
    await user.click(screen.getByTestId('merge-next'));
    await user.click(await screen.findByTestId('merge-preview'));
    await user.click(await screen.findByTestId('merge-confirm'));

    await waitFor(() => expect(screen.queryByTestId('merge-wizard')).not.toBeInTheDocument());
    expect(calls.merges).toEqual([{ survivor: 'c1', other: 'c2', dryRun: true }, { survivor: 'c1', other: 'c2', dryRun: false }]);
    expect(screen.getByTestId('location')).toHaveTextContent('/customers/duplicates');
    await waitFor(() => expect(calls.groupCursors.length).toBeGreaterThan(1));
    expect(calls.groupCursors[1]).toBeNull();
  }, 40_000);

  it('says so when there are none', async () => {
    await i18n.changeLanguage('en');
    stubApi();
    renderAt('/customers/duplicates');
    expect(await screen.findByTestId('duplicate-groups-empty')).toHaveTextContent('No likely duplicates found');
  }, 40_000);
});
