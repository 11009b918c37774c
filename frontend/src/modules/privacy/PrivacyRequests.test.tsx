import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { PrivacyRequest } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { PrivacyRequests } from './PrivacyRequests';

afterEach(() => vi.unstubAllGlobals());

const full = { read: 'all', create: 'all', update: 'all', delete: 'all', export: 'all' };

const request = (over: Partial<PrivacyRequest>): PrivacyRequest => ({
  id: 'r1', subject_type: 'contact', subject_id: 'p1', customer_id: 'c1', subject_name: '周芷若', kind: 'export', status: 'received',
  channel: 'email', received_at: '2026-02-01T08:00:00Z', due_at: '2026-02-16T08:00:00Z', overdue: true, notes: null, resolved_at: null,
  refusal_reason: null, resolved_by: null, resolved_by_name: null, created_by: 'u1', created_at: '2026-02-01T08:00:00Z',
  updated_at: '2026-02-01T08:00:00Z', version: 1, ...over,
});

function stubApi() {
  const lists: URLSearchParams[] = [];
  const answers: { path: string; ifMatch: string | null; body: unknown }[] = [];
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, { ...adminMe, permissions: { ...adminMe.permissions, privacy: full } });
    if (url.pathname === '/api/v1/privacy/requests') {
      lists.push(url.searchParams);
      const late = request({});
      const fresh = request({ id: 'r2', subject_type: 'customer', subject_name: '请求有限公司', kind: 'access', overdue: false, due_at: '2099-01-01T00:00:00Z' });
      return json(200, { data: url.searchParams.get('overdue') === 'true' ? [late] : [late, fresh], next_cursor: null });
    }
    const answered = /^\/api\/v1\/privacy\/requests\/(r\d)\/(complete|refuse)$/.exec(url.pathname);
    if (answered) {
      const body = answered[2] === 'refuse' ? await req.json() : null;
      answers.push({ path: url.pathname, ifMatch: req.headers.get('If-Match'), body });
      return json(200, request({ id: answered[1], status: answered[2] === 'refuse' ? 'refused' : 'completed', overdue: false, version: 2 }));
    }
    return json(404, { title: 'Not found', status: 404 });
  }));
  return { lists, answers };
}

describe('<PrivacyRequests>', () => {
  it('highlights overdue requests, filters them, and completes or refuses with the version as If-Match', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const { lists, answers } = stubApi();
    const u = userEvent.setup();
    renderWithApp(<PrivacyRequests />);
    const table = await screen.findByTestId('requests-table');
    const late = (await within(table).findByText('周芷若')).closest('tr')!;
    const fresh = within(table).getByText('请求有限公司').closest('tr')!;
    expect(late).toHaveClass('task-overdue');
    expect(within(late).getByTestId('request-overdue')).toHaveTextContent('Overdue');
    expect(fresh).not.toHaveClass('task-overdue');
    expect(within(fresh).queryByTestId('request-overdue')).toBeNull();

    await u.click(screen.getByTestId('request-overdue-filter'));
    await waitFor(() => expect(lists.at(-1)?.get('overdue')).toBe('true'));
    await waitFor(() => expect(within(table).queryByText('请求有限公司')).toBeNull());

    await u.click(within(table).getByTestId('request-complete'));
    await waitFor(() => expect(answers).toEqual([{ path: '/api/v1/privacy/requests/r1/complete', ifMatch: '"1"', body: null }]));

    await u.click(within(table).getByTestId('request-refuse'));
    const confirm = await screen.findByTestId('request-refuse-confirm');
    expect(confirm).toBeDisabled();
    await u.type(screen.getByTestId('request-refuse-reason'), '无法核实身份');
    await u.click(confirm);
    await waitFor(() => expect(answers[1]).toEqual({ path: '/api/v1/privacy/requests/r1/refuse', ifMatch: '"1"', body: { reason: '无法核实身份' } }));
  }, 30_000);
});
