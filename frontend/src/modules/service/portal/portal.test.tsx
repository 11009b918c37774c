import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../../i18n';
import { PORTAL_SESSION_KEY, portalTokenStore } from '../../../api/portalSession';
import { tokenStore } from '../../../api/tokens';
import type { PortalTicket } from '../../../api/types';
import { json } from '../../../test/render';
import { renderAppAt } from '../../../test/renderApp';
import { RatingForm } from './RatingForm';
import { canRate, portalProgress } from './ticketWording';
import { safePortalNext } from './usePortalSession';

afterEach(() => vi.unstubAllGlobals());


const me = { account_id: 'pa1', contact_id: 'k1', name: '王伟', customer_id: 'c1', customer_name: '上海浦江精密机械有限公司', email: 'wang@example.cn', sees_company_tickets: false };
const session = { access_token: 'portal-token', token_type: 'Bearer', expires_at: '2099-01-01T00:00:00Z', me };

function ticket(patch: Partial<PortalTicket> = {}): PortalTicket {
  return {
    id: 't1', number: 'T-000042', subject: '主轴异响', description: null, kind: 'incident', priority: 'normal', status: 'new', assignee_name: '刘洋',
    first_response_due_at: '2026-11-23T10:00:00Z', resolution_due_at: '2026-11-24T10:00:00Z', first_responded_at: null, resolved_at: null, closed_at: null,
    satisfaction_rating: null, satisfaction_comment: null, created_at: '2026-11-23T08:00:00Z', updated_at: '2026-11-23T08:00:00Z',
    ...patch,
  };
}

describe('portal wording', () => {
  const now = Date.parse('2026-11-23T09:00:00Z');
  it('promises the first answer, then the solution, and says sorry when late', () => {
    expect(portalProgress(ticket(), now)).toEqual({ key: 'answerBy', at: '2026-11-23T10:00:00Z' });
    expect(portalProgress(ticket(), Date.parse('2026-11-23T11:00:00Z')).key).toBe('answerLate');
    expect(portalProgress(ticket({ status: 'in_progress', first_responded_at: '2026-11-23T08:30:00Z' }), now)).toEqual({ key: 'solveBy', at: '2026-11-24T10:00:00Z' });
    expect(portalProgress(ticket({ status: 'in_progress', first_responded_at: '2026-11-23T08:30:00Z' }), Date.parse('2026-11-25T00:00:00Z')).key).toBe('solveLate');
    expect(portalProgress(ticket({ status: 'waiting_customer' }), now)).toEqual({ key: 'waitingForYou' });
    expect(portalProgress(ticket({ status: 'resolved', resolved_at: '2026-11-23T12:00:00Z' }), now)).toEqual({ key: 'solvedOn', at: '2026-11-23T12:00:00Z' });
    expect(portalProgress(ticket({ status: 'closed', closed_at: '2026-11-24T12:00:00Z' }), now)).toEqual({ key: 'closedOn', at: '2026-11-24T12:00:00Z' });
  });

  it('offers the rating once solved and only once', () => {
    expect(canRate(ticket({ status: 'in_progress' }))).toBe(false);
    expect(canRate(ticket({ status: 'resolved' }))).toBe(true);
    expect(canRate(ticket({ status: 'closed' }))).toBe(true);
    expect(canRate(ticket({ status: 'resolved', satisfaction_rating: 4 }))).toBe(false);
  });

  it('follows only portal pages after sign-in', () => {
    expect(safePortalNext('/portal/tickets/t1')).toBe('/portal/tickets/t1');
    expect(safePortalNext('/portal?view=done')).toBe('/portal?view=done');
    expect(safePortalNext('/customers')).toBe('/portal');
    expect(safePortalNext('//evil.example/portal')).toBe('/portal');
    expect(safePortalNext('/portal/login?next=/portal')).toBe('/portal');
    expect(safePortalNext('/portalx')).toBe('/portal');
    expect(safePortalNext(null)).toBe('/portal');
  });
});

describe('<RatingForm>', () => {
  it('needs stars, then sends the rating with the comment (none when empty)', async () => {
    await i18n.changeLanguage('en');
    const sent: unknown[] = [];
    const user = userEvent.setup();
    render(<RatingForm pending={false} onSubmit={async (r) => void sent.push(r)} />);
    await user.click(screen.getByTestId('rating-submit'));
    expect(screen.getByTestId('rating-error')).toHaveTextContent('Choose from 1 to 5 stars');
    expect(sent).toEqual([]);
    const stars = screen.getByTestId('rating-stars').querySelectorAll('li');
    expect(stars).toHaveLength(5);
    await user.click(stars[4]!.querySelector('div[role="radio"]') ?? stars[4]!);
    expect(screen.getByTestId('rating-label')).toHaveTextContent('Excellent');
    await user.type(screen.getByTestId('rating-comment'), '  工程师很专业  ');
    await user.click(screen.getByTestId('rating-submit'));
    await waitFor(() => expect(sent).toEqual([{ rating: 5, comment: '工程师很专业' }]));
    expect(screen.queryByTestId('rating-error')).toBeNull();

    await user.clear(screen.getByTestId('rating-comment'));
    await user.click(stars[1]!.querySelector('div[role="radio"]') ?? stars[1]!);
    await user.click(screen.getByTestId('rating-submit'));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toEqual({ rating: 2, comment: null });
  });

  it("shows the server's refusal", async () => {
    await i18n.changeLanguage('en');
    const user = userEvent.setup();
    render(<RatingForm pending={false} onSubmit={() => Promise.reject(new Error('the ticket is not resolved yet'))} />);
    await user.click(screen.getByTestId('rating-stars').querySelectorAll('li')[3]!.querySelector('div[role="radio"]')!);
    await user.click(screen.getByTestId('rating-submit'));
    expect(await screen.findByTestId('rating-error')).toHaveTextContent('the ticket is not resolved yet');
  });
});

describe('portal routes', () => {
  it('send a customer without a portal session to the portal sign-in, even with a staff session, and sign in to the portal layout', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'staff-token', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const seen: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      seen.push(`${req.method} ${url.pathname} ${req.headers.get('Authorization') ?? '-'}`);
      if (url.pathname === '/api/v1/portal/auth/login') return json(200, session);
      if (req.headers.get('Authorization') !== 'Bearer portal-token') return json(401, { type: 'about:blank', title: 'Unauthorized', status: 401 });
      if (url.pathname === '/api/v1/portal/me') return json(200, me);
      if (url.pathname === '/api/v1/portal/tickets') return json(200, { data: [ticket()], next_cursor: null });
      return json(404, { type: 'about:blank', title: 'Not found', status: 404 });
    }));
    const user = userEvent.setup();
    renderAppAt('/portal/tickets/t1');
    // the portal's own sign-in, remembering where the customer was; no staff navigation
    expect(await screen.findByTestId('portal-signin-email', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/portal/login?next=%2Fportal%2Ftickets%2Ft1');
    expect(screen.queryByTestId('nav-menu')).toBeNull();
    await user.type(screen.getByTestId('portal-signin-email'), 'wang@example.cn');
    await user.type(screen.getByTestId('portal-signin-password'), 'a-long-password');
    await user.click(screen.getByTestId('portal-signin-submit'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/portal/tickets/t1'));
    expect(JSON.parse(localStorage.getItem(PORTAL_SESSION_KEY) ?? '{}')).toMatchObject({ accessToken: 'portal-token' });
    // the staff session is untouched, and its token never went to the portal
    expect(tokenStore.get()?.accessToken).toBe('staff-token');
    expect(seen.filter((s) => s.includes('/portal/') && s.includes('staff-token'))).toEqual([]);
  }, 30_000);

  it('show the portal layout, not the staff one, and the staff app does not accept a portal session', async () => {
    await i18n.changeLanguage('en');
    portalTokenStore.set({ accessToken: 'portal-token', expiresAt: Date.now() + 600_000 });
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/portal/me') return json(200, me);
      // due times relative to the clock, so the ticket is on time whenever the test runs
      const upcoming = ticket({
        first_response_due_at: new Date(Date.now() + 3_600_000).toISOString(),
        resolution_due_at: new Date(Date.now() + 86_400_000).toISOString(),
      });
      if (url.pathname === '/api/v1/portal/tickets') return json(200, { data: [upcoming], next_cursor: null });
      return json(401, { type: 'about:blank', title: 'Unauthorized', status: 401 });
    }));
    const first = renderAppAt('/portal');
    expect(await screen.findByTestId('portal-layout', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(await screen.findByTestId('portal-ticket')).toHaveTextContent('主轴异响');
    expect(screen.getByTestId('portal-progress')).toHaveTextContent('We will answer by');
    expect(screen.getByTestId('portal-nav')).toHaveTextContent('Help centre');
    expect(screen.queryByTestId('nav-menu')).toBeNull();
    first.unmount();
    // a portal session is no staff session: the staff app asks for its own sign-in
    renderAppAt('/customers');
    expect(await screen.findByTestId('signin-email', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.queryByTestId('portal-layout')).toBeNull();
  }, 30_000);

  it('a refused portal token returns to the portal sign-in saying the session ended', async () => {
    await i18n.changeLanguage('en');
    portalTokenStore.set({ accessToken: 'revoked', expiresAt: Date.now() + 600_000 });
    vi.stubGlobal('fetch', vi.fn(async () => json(401, { type: 'about:blank', title: 'Unauthorized', status: 401 })));
    renderAppAt('/portal/kb');
    expect(await screen.findByTestId('portal-session-expired', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/portal/login?next=%2Fportal%2Fkb&reason=expired');
    expect(localStorage.getItem(PORTAL_SESSION_KEY)).toBeNull();
  }, 30_000);
});
