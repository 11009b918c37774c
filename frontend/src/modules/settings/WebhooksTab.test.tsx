import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Webhook, WebhookDelivery } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { WebhooksTab, webhookPatch } from './WebhooksTab';
import { PENDING_REFRESH_MS } from './useWebhooks';

const webhook: Webhook = {
  id: 'w1', owner_id: 'u1', url: 'https://erp.example.com/crm-events', event_types: ['customer.created', 'order.confirmed'], description: 'ERP sync',
  status: 'active', disabled_reason: null, failing_since: '2026-03-02T08:30:00Z', previous_secret_expires_at: null, created_by: 'u1',
  created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z', version: 4,
};

const delivery: WebhookDelivery = {
  id: 'd1', message_id: 'msg_d1', subscription_id: 'w1', event_id: 'e1', event_type: 'customer.created', status: 'pending', attempt_count: 2,
  next_attempt_at: '2026-03-02T09:00:00Z', last_attempt_at: '2026-03-02T08:35:00Z', last_status_code: 500, created_at: '2026-03-02T08:30:00Z',
  attempts: [
    { id: 'a1', attempted_at: '2026-03-02T08:30:00Z', status_code: 500, error: null, error_code: null, latency_ms: 41, response_excerpt: 'upstream broke' },
    { id: 'a2', attempted_at: '2026-03-02T08:35:00Z', status_code: null, error: 'timed out after 15 s', error_code: 'timeout', latency_ms: 15000, response_excerpt: '' },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe('WebhooksTab', () => {
  it('lists subscriptions, shows a new secret once, pauses with If-Match and redelivers from the deliveries', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const rows: Webhook[] = [webhook];
    const calls: { method: string; path: string; ifMatch: string | null; idempotency: string | null; body: unknown }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/users') return json(200, { data: [], next_cursor: null });
      if (url.pathname === '/api/v1/webhooks' && req.method === 'GET') return json(200, { data: rows, next_cursor: null });
      if (url.pathname === '/api/v1/webhooks/w1/deliveries') return json(200, { data: [delivery], next_cursor: null });
      const text = await req.text();
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      calls.push({ method: req.method, path: url.pathname, ifMatch: req.headers.get('If-Match'), idempotency: req.headers.get('Idempotency-Key'), body });
      if (req.method === 'POST' && url.pathname === '/api/v1/webhooks') {
        const made: Webhook = { ...webhook, id: 'w2', url: 'https://bi.example.com/hook', failing_since: null, version: 1 };
        rows.unshift(made);
        return json(201, { secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0', webhook: made });
      }
      if (req.method === 'PATCH') return json(200, { ...webhook, status: 'paused', version: 5 });
      if (url.pathname.endsWith('/redeliver')) return json(202, { ...delivery, attempt_count: 0 });
      return json(404, { title: 'Not found', status: 404 });
    }));
    const user = userEvent.setup();
    renderWithApp(<WebhooksTab />);

    const table = await screen.findByTestId('webhooks-table');
    await waitFor(() => expect(within(table).getByText('https://erp.example.com/crm-events')).toBeInTheDocument());
    expect(within(table).getByText('order.confirmed')).toBeInTheDocument();
    expect(within(table).getByTestId('webhook-status')).toHaveTextContent('Active');

    // a new subscription: its secret is shown once
    await user.click(screen.getByTestId('webhook-new'));
    await user.type(await screen.findByTestId('webhook-url'), 'https://bi.example.com/hook');
    await user.click(screen.getByTestId('webhook-event-types'));
    await user.click(await screen.findByTitle('customer.created'));
    await user.click(screen.getByTestId('webhook-save'));
    expect(await screen.findByTestId('webhook-secret')).toHaveValue('whsec_c2VjcmV0c2VjcmV0c2VjcmV0');
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/v1/webhooks', body: { url: 'https://bi.example.com/hook', event_types: ['customer.created'] } });
    expect(calls[0]?.idempotency).toBeTruthy();
    await user.click(screen.getByTestId('webhook-issued-done'));
    await waitFor(() => expect(screen.queryByTestId('webhook-secret')).not.toBeInTheDocument());

    // pausing patches the status with the version seen
    const erpRow = within(table).getByText('https://erp.example.com/crm-events').closest('tr');
    if (!(erpRow instanceof HTMLElement)) throw new Error('no row for the ERP webhook');
    await user.click(within(erpRow).getByTestId('webhook-pause'));
    await waitFor(() => expect(calls[1]).toMatchObject({ method: 'PATCH', path: '/api/v1/webhooks/w1', ifMatch: '"4"', body: { status: 'paused' } }));

    // the deliveries, with each attempt, and a redelivery
    await user.click(within(erpRow).getByTestId('webhook-deliveries'));
    const deliveries = await screen.findByTestId('webhook-deliveries-table');
    await waitFor(() => expect(within(deliveries).getByTestId('webhook-delivery-status')).toHaveTextContent('Pending'));
    await user.click(within(deliveries).getByRole('button', { name: /expand row/i }));
    expect(await screen.findByText('upstream broke')).toBeInTheDocument();
    // Said in the reader's language from its code, not in the transport's English words.
    expect(screen.getByText('No answer within 15 s')).toBeInTheDocument();
    await user.click(within(deliveries).getByTestId('webhook-redeliver'));
    await waitFor(() => expect(calls[2]).toMatchObject({ method: 'POST', path: '/api/v1/webhooks/w1/deliveries/d1/redeliver' }));
  }, 60_000);

  it('sends a test and shows its delivery turn succeeded without a reload', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const tested: WebhookDelivery = {
      ...delivery, id: 'd9', message_id: 'msg_d9', event_type: 'webhook.tested', attempt_count: 0, next_attempt_at: null, last_attempt_at: null,
      last_status_code: null, attempts: [],
    };
    let reads = 0;
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/users') return json(200, { data: [], next_cursor: null });
      if (url.pathname === '/api/v1/webhooks' && req.method === 'GET') return json(200, { data: [webhook], next_cursor: null });
      if (url.pathname === '/api/v1/webhooks/w1/test' && req.method === 'POST') return json(202, tested);
      if (url.pathname === '/api/v1/webhooks/w1/deliveries') {
        reads += 1;
        // the worker sends it between the first read and the next
        const sent: WebhookDelivery = {
          ...tested, status: 'succeeded', attempt_count: 1, last_attempt_at: '2026-03-02T08:30:01Z', last_status_code: 200,
          attempts: [{ id: 'a9', attempted_at: '2026-03-02T08:30:01Z', status_code: 200, error: null, error_code: null, latency_ms: 12, response_excerpt: 'received' }],
        };
        return json(200, { data: [reads === 1 ? tested : sent], next_cursor: null });
      }
      return json(404, { title: 'Not found', status: 404 });
    }));
    const user = userEvent.setup();
    renderWithApp(<WebhooksTab />);
    const table = await screen.findByTestId('webhooks-table');
    await user.click(await within(table).findByTestId('webhook-test'));
    const deliveries = await screen.findByTestId('webhook-deliveries-table');
    await waitFor(() => expect(within(deliveries).getByTestId('webhook-delivery-status')).toHaveTextContent('Pending'));
    // no click: the pending delivery is read again until it has an outcome
    await waitFor(() => expect(within(deliveries).getByTestId('webhook-delivery-status')).toHaveTextContent('Succeeded'), { timeout: PENDING_REFRESH_MS * 3 });
    const readsWhenDone = reads;
    await user.click(within(deliveries).getByRole('button', { name: /expand row/i }));
    expect(await screen.findByText('received')).toBeInTheDocument();
    expect(screen.getByTestId('webhook-attempts')).toHaveTextContent('200');
    // nothing pending any more: the reading stops
    await new Promise((r) => setTimeout(r, PENDING_REFRESH_MS + 500));
    expect(reads).toBe(readsWhenDone);
  }, 60_000);

  it('patches only the changed fields', () => {
    const same = { url: webhook.url, event_types: webhook.event_types, description: 'ERP sync', owner_id: 'u1' };
    expect(webhookPatch(webhook, same)).toEqual({});
    expect(webhookPatch(webhook, { ...same, url: ' https://erp.example.com/v2 ', event_types: ['customer.created'] })).toEqual({
      url: 'https://erp.example.com/v2', event_types: ['customer.created'],
    });
  });
});
