import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Consent, ErasureReport } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { PrivacyPanel } from './PrivacyPanel';

afterEach(() => vi.unstubAllGlobals());

const full = { read: 'all', create: 'all', update: 'all', delete: 'all', export: 'all' };
const none = { read: 'none', create: 'none', update: 'none', delete: 'none', export: 'none' };
const meWith = (privacy: typeof full) => ({ ...adminMe, permissions: { ...adminMe.permissions, privacy } });

const consent = (over: Partial<Consent>): Consent => ({
  id: 'k1', subject_type: 'contact', subject_id: 'p1', customer_id: 'c1', purpose: 'marketing_email', channel: 'web_form', status: 'given',
  given_at: '2026-03-01T08:00:00Z', withdrawn_at: null, source: '官网', evidence: '表单 F-17', recorded_by: 'u1', recorded_by_name: 'Admin',
  withdrawn_by: null, withdrawn_by_name: null, created_at: '2026-03-01T08:00:00Z', updated_at: '2026-03-01T08:00:00Z', version: 1, ...over,
});

const plan: ErasureReport = {
  subject_type: 'contact', subject_id: 'p1', dry_run: true, pseudonym: '已匿名-7F3A',
  changes: [
    { kind: 'contact', records: 1, fields: ['name', 'mobile', 'email'] },
    { kind: 'audit_entry', records: 3, fields: [] },
  ],
};

function stubApi(privacy: typeof full) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  let consents = [consent({})];
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const body = req.method === 'POST' ? await req.json().catch(() => null) : null;
    calls.push({ method: req.method, path: url.pathname, body });
    if (url.pathname === '/api/v1/auth/me') return json(200, meWith(privacy));
    if (url.pathname === '/api/v1/contacts/p1/consents' && req.method === 'GET') return json(200, { data: consents, next_cursor: null });
    if (url.pathname === '/api/v1/contacts/p1/consents' && req.method === 'POST') {
      const given = consent({ id: 'k2', purpose: (body as { purpose: Consent['purpose'] }).purpose, channel: 'paper' });
      consents = [given, ...consents];
      return json(201, given);
    }
    if (url.pathname === '/api/v1/consents/k1/withdraw') {
      consents = [consent({ status: 'withdrawn', withdrawn_at: '2026-03-05T08:00:00Z' })];
      return json(200, consents[0]);
    }
    if (url.pathname === '/api/v1/privacy/subjects/contact/p1/erase') {
      const dryRun = (body as { dry_run: boolean }).dry_run;
      return json(200, { ...plan, dry_run: dryRun });
    }
    return json(404, { title: 'Not found', status: 404 });
  }));
  return calls;
}

describe('<PrivacyPanel>', () => {
  it('lists consents with their history, records one and withdraws one', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const calls = stubApi(full);
    const u = userEvent.setup();
    renderWithApp(<PrivacyPanel subject={{ type: 'contact', id: 'p1' }} name="李小龙" />);
    const table = await screen.findByTestId('consents-table');
    await within(table).findByText('Marketing email');
    expect(within(table).getByTestId('consent-status')).toHaveTextContent('Given');

    await u.click(within(table).getByTestId('consent-withdraw'));
    await waitFor(() => expect(within(table).getByTestId('consent-status')).toHaveTextContent('Withdrawn'));
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/consents/k1/withdraw')).toBe(true);
    expect(within(table).queryByTestId('consent-withdraw')).toBeNull();

    await u.click(screen.getByTestId('consent-add'));
    const purpose = await screen.findByTestId('consent-purpose');
    await u.click(purpose.querySelector('.ant-select-content, .ant-select-selector') ?? purpose);
    await u.click(await screen.findByText('Text messages'));
    await u.type(screen.getByTestId('consent-channel'), 'paper');
    await u.click(screen.getByTestId('consent-save'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/contacts/p1/consents')).toBe(true));
    const posted = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/contacts/p1/consents')?.body as Record<string, unknown>;
    expect(posted).toMatchObject({ purpose: 'sms', channel: 'paper', given_at: null });
    await waitFor(() => expect(within(table).getAllByTestId('consent-status')).toHaveLength(2));
  }, 30_000);

  it('erases only after a dry run that lists what will change, in Chinese', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const calls = stubApi(full);
    const u = userEvent.setup();
    renderWithApp(<PrivacyPanel subject={{ type: 'contact', id: 'p1' }} name="李小龙" />);
    await u.click(await screen.findByTestId('privacy-erase'));
    const changes = await screen.findByTestId('erase-changes');
    expect(within(changes).getByTestId('erase-change-contact')).toHaveTextContent('联系人');
    expect(within(changes).getByTestId('erase-change-contact')).toHaveTextContent('name, mobile, email');
    expect(within(changes).getByTestId('erase-change-audit_entry')).toHaveTextContent('审计记录');
    expect(screen.getByText(/已匿名-7F3A/)).toBeInTheDocument();
    const erases = () => calls.filter((c) => c.path === '/api/v1/privacy/subjects/contact/p1/erase').map((c) => c.body);
    expect(erases()).toEqual([{ dry_run: true }]);
    await u.click(screen.getByTestId('privacy-erase-confirm'));
    await waitFor(() => expect(erases()).toEqual([{ dry_run: true }, { dry_run: false }]));
    expect(await screen.findByText('已删除，记录现为 已匿名-7F3A')).toBeInTheDocument();
    await i18n.changeLanguage('en');
  }, 30_000);

  it('offers neither export nor erasure to a role without the privacy permission', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    stubApi(none);
    renderWithApp(<PrivacyPanel subject={{ type: 'contact', id: 'p1' }} name="李小龙" />);
    await screen.findByTestId('consents-table');
    await screen.findByTestId('consent-add');
    expect(screen.queryByTestId('privacy-export')).toBeNull();
    expect(screen.queryByTestId('privacy-erase')).toBeNull();
  }, 30_000);
});
