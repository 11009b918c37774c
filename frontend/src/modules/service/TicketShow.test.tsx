import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Ticket } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import TicketShow from './TicketShow';
import { policy, ticket } from './fixtures.test-utils';

afterEach(() => vi.unstubAllGlobals());

const me = { ...adminMe, permissions: { ...adminMe.permissions, service: { read: 'all', create: 'all', update: 'all', delete: 'none', export: 'all' } } };

function serve(current: { ticket: Ticket }, moves: { status: string; ifMatch: string | null }[], refuse: boolean) {
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, me);
    if (url.pathname === '/api/v1/sla-policies') return json(200, { data: [policy], next_cursor: null });
    if (url.pathname === '/api/v1/teams') return json(200, { data: [], next_cursor: null });
    if (url.pathname === '/api/v1/tickets/t1' && req.method === 'GET') return json(200, current.ticket);
    if (url.pathname === '/api/v1/tickets/t1/comments') return json(200, { data: [], next_cursor: null });
    if (url.pathname === '/api/v1/tickets/t1/articles') return json(200, { data: [] });
    if (url.pathname === '/api/v1/kb/articles') return json(200, { data: [], next_cursor: null });
    if (url.pathname === '/api/v1/tickets/t1/status') {
      const { status, close_reason = null } = (await req.json()) as { status: Ticket['status']; close_reason?: Ticket['close_reason'] };
      moves.push({ status, ifMatch: req.headers.get('If-Match') });
      if (refuse) {
        return json(409, { type: '/problems/conflict', title: 'Conflict', status: 409, code: 'ticket.invalid_transition', detail: 'a ticket that is resolved cannot become in_progress' });
      }
      current.ticket = {
        ...current.ticket, status, close_reason, version: current.ticket.version + 1,
        resolved_at: status === 'resolved' ? '2026-11-23T04:00:00Z' : current.ticket.resolved_at,
        closed_at: status === 'closed' ? '2026-11-23T05:00:00Z' : null,
      };
      return json(200, current.ticket);
    }
    return json(404, { type: 'about:blank', title: 'Not found', status: 404 });
  }));
}

const page = () => (
  <Routes>
    <Route path="/service/tickets/:id" element={<TicketShow />} />
  </Routes>
);

const actions = () => within(screen.getByTestId('ticket-actions')).queryAllByTestId(/^ticket-move-/).map((b) => b.getAttribute('data-testid'));

describe('<TicketShow>', () => {
  it('offers only the moves the process allows, and moves with If-Match', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const current = { ticket: ticket({ status: 'in_progress', satisfaction_rating: null }) };
    const moves: { status: string; ifMatch: string | null }[] = [];
    serve(current, moves, false);
    const user = userEvent.setup();
    renderWithApp(page(), { path: '/service/tickets/t1' });
    expect(await screen.findByTestId('ticket-title', {}, { timeout: 10_000 })).toHaveTextContent('T-000123');
    expect(screen.getByTestId('ticket-related-articles')).toBeInTheDocument();
    expect(screen.queryByTestId('ticket-rating')).toBeNull();
    await waitFor(() => expect(actions()).toEqual(['ticket-move-waiting_customer', 'ticket-move-resolved', 'ticket-move-closed']), { timeout: 5000 });
    expect(screen.getByTestId('ticket-move-resolved')).toHaveTextContent('Resolve');

    await user.click(screen.getByTestId('ticket-move-resolved'));
    await waitFor(() => expect(moves).toEqual([{ status: 'resolved', ifMatch: '"3"' }]));
    await waitFor(() => expect(actions()).toEqual(['ticket-move-in_progress', 'ticket-move-closed']));
    expect(screen.getByTestId('ticket-move-in_progress')).toHaveTextContent('Reopen');
    expect(screen.getAllByTestId('ticket-status')[0]).toHaveAttribute('data-status', 'resolved');
  }, 30_000);

  it("says why a move was refused (by its code), and the customer's rating", async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const current = { ticket: ticket({ status: 'resolved', resolved_at: '2026-11-23T04:00:00Z', satisfaction_rating: 4, satisfaction_comment: '很满意' }) };
    const moves: { status: string; ifMatch: string | null }[] = [];
    serve(current, moves, true);
    const user = userEvent.setup();
    renderWithApp(page(), { path: '/service/tickets/t1' });
    await screen.findByTestId('ticket-title', {}, { timeout: 10_000 });
    await waitFor(() => expect(actions()).toEqual(['ticket-move-in_progress', 'ticket-move-closed']), { timeout: 5000 });
    expect(screen.getByTestId('ticket-rating')).toHaveTextContent('4 of 5');
    expect(screen.getByTestId('ticket-rating')).toHaveTextContent('很满意');
    await user.click(screen.getByTestId('ticket-move-in_progress'));
    const error = await screen.findByTestId('ticket-move-error');
    expect(error).toHaveTextContent("The ticket's status does not allow this.");
    expect(moves).toEqual([{ status: 'in_progress', ifMatch: '"3"' }]);
  }, 30_000);

  it('asks why before closing a ticket that was never resolved, and shows the reason once closed', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const current = { ticket: ticket({ status: 'waiting_customer' }) };
    const moves: { status: string; ifMatch: string | null }[] = [];
    serve(current, moves, false);
    const user = userEvent.setup();
    renderWithApp(page(), { path: '/service/tickets/t1' });
    await screen.findByTestId('ticket-title', {}, { timeout: 10_000 });
    await user.click(await screen.findByTestId('ticket-move-closed'));
    expect(await screen.findByText('关闭 T-000123')).toBeInTheDocument();
    expect(screen.queryByTestId('ticket-close-confirm')).toBeNull();
    expect(moves).toEqual([]);
    await user.click(within(screen.getByTestId('close-reason')).getByRole('combobox'));
    await user.click(await screen.findByTitle('客户无响应'));
    await user.click(screen.getByTestId('close-save'));
    await waitFor(() => expect(moves).toEqual([{ status: 'closed', ifMatch: '"3"' }]));
    await waitFor(() => expect(screen.getByTestId('ticket-close-reason')).toHaveTextContent('客户无响应'));
    expect(actions()).toEqual([]);
  }, 60_000);

  it('closes a resolved ticket after a plain confirmation', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const current = { ticket: ticket({ status: 'resolved', resolved_at: '2026-11-23T04:00:00Z' }) };
    const moves: { status: string; ifMatch: string | null }[] = [];
    serve(current, moves, false);
    const user = userEvent.setup();
    renderWithApp(page(), { path: '/service/tickets/t1' });
    await user.click(await screen.findByTestId('ticket-move-closed', {}, { timeout: 10_000 }));
    await user.click(await screen.findByTestId('ticket-close-confirm'));
    await waitFor(() => expect(moves).toEqual([{ status: 'closed', ifMatch: '"3"' }]));
    expect(screen.queryByTestId('close-form')).toBeNull();
    expect(screen.queryByTestId('ticket-close-reason')).toBeNull();
  }, 30_000);
});
