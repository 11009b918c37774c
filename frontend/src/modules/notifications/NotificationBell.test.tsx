import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Notification } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { NotificationBell, notificationTarget } from './NotificationBell';
import { UNREAD_POLL_MS } from './useNotifications';

const note = (over: Partial<Notification>): Notification => ({
  id: 'n1', kind: 'task_assigned', title: 'Follow up ACME', body: 'No contact for 14 days', entity_type: 'task', entity_id: 't1',
  read_at: null, created_at: '2026-03-01T02:00:00Z', ...over,
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function countBadge() {
  return screen.getByTestId('notification-count');
}

describe('NotificationBell', () => {
  it('shows the unread count and polls it every minute', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000 });
    let unread = 2;
    let countRequests = 0;
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/notifications/unread-count') {
        countRequests += 1;
        return json(200, { count: unread });
      }
      return json(200, { data: [], next_cursor: null });
    }));
    renderWithApp(<NotificationBell />);
    await waitFor(() => expect(countBadge()).toHaveTextContent('2'));
    expect(countRequests).toBe(1);

    unread = 5;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(UNREAD_POLL_MS - 1_000);
    });
    expect(countRequests).toBe(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1_500);
    });
    await waitFor(() => expect(countBadge()).toHaveTextContent('5'));
    expect(countRequests).toBe(2);
  }, 20_000);

  it('lists notifications; marking all read clears the count; a task notification opens my tasks', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000 });
    let items = [note({ id: 'n1' }), note({ id: 'n2', kind: 'task_overdue', title: 'Overdue: call back', entity_id: 't2' })];
    const posts: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/notifications/unread-count') return json(200, { count: items.filter((n) => !n.read_at).length });
      if (url.pathname === '/api/v1/notifications' && req.method === 'GET') {
        const unreadOnly = url.searchParams.get('unread') === 'true';
        return json(200, { data: items.filter((n) => !unreadOnly || !n.read_at), next_cursor: null });
      }
      if (req.method === 'POST') {
        posts.push(url.pathname);
        const now = '2026-03-02T00:00:00Z';
        if (url.pathname === '/api/v1/notifications/read-all') {
          const count = items.filter((n) => !n.read_at).length;
          items = items.map((n) => ({ ...n, read_at: n.read_at ?? now }));
          return json(200, { count });
        }
        const m = /^\/api\/v1\/notifications\/(\w+)\/read$/.exec(url.pathname);
        if (m) {
          items = items.map((n) => (n.id === m[1] ? { ...n, read_at: now } : n));
          return json(200, items.find((n) => n.id === m[1]));
        }
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    renderWithApp(<NotificationBell />, { path: '/customers' });
    await waitFor(() => expect(countBadge()).toHaveTextContent('2'));

    await user.click(screen.getByTestId('notification-bell'));
    const panel = await screen.findByTestId('notification-panel');
    await waitFor(() => expect(within(panel).getAllByTestId('notification-item')).toHaveLength(2));
    expect(within(panel).getByRole('img', { name: 'Task overdue' })).toBeInTheDocument();

    // clicking a task notification marks it read and opens my tasks at that task
    await user.click(within(panel).getByText(/Overdue: call back/));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/activities/tasks?task=t2'));
    expect(posts).toContain('/api/v1/notifications/n2/read');
    await waitFor(() => expect(countBadge()).toHaveTextContent('1'));

    await user.click(screen.getByTestId('notification-bell'));
    await user.click(await screen.findByTestId('notification-read-all'));
    await waitFor(() => expect(posts).toContain('/api/v1/notifications/read-all'));
    await waitFor(() => expect(countBadge()).not.toHaveTextContent(/\d/));
    await waitFor(() => expect(screen.queryAllByTestId('notification-item')).toHaveLength(0));
  }, 30_000);

  it('links task notifications to my tasks, ticket ones to the ticket and others to nothing', () => {
    expect(notificationTarget({ kind: 'task_due', entity_type: 'task', entity_id: 'abc' })).toBe('/activities/tasks?task=abc');
    expect(notificationTarget({ kind: 'task_due', entity_type: null, entity_id: null })).toBe('/activities/tasks');
    expect(notificationTarget({ kind: 'ticket_assigned' as Notification['kind'], entity_type: 'ticket', entity_id: 'x' })).toBe('/service/tickets/x');
    expect(notificationTarget({ kind: 'sla_breached' as Notification['kind'], entity_type: 'ticket', entity_id: 'y' })).toBe('/service/tickets/y');
    expect(notificationTarget({ kind: 'other' as Notification['kind'], entity_type: 'survey', entity_id: 'z' })).toBeNull();
  });
});
