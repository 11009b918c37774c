import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import dayjs from 'dayjs';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Interaction } from '../../api/types';
import { adminMe, json, problem, renderWithApp } from '../../test/render';
import { InteractionModal, interactionToForm, toCreateInteraction, toInteractionPatch } from './InteractionForm';

const interaction: Interaction = {
  id: 'i1', customer_id: 'c1', customer_name: 'ACME', contact_id: null, contact_name: null, opportunity_id: null, ticket_id: null,
  requirement_id: null, channel: 'phone', direction: 'outbound', occurred_at: '2026-03-01T02:00:00Z', duration_minutes: 5,
  subject: 'Intro call', content: null, outcome: 'interested', next_step: null, owner_id: 'u1', owner_name: 'Admin',
  created_at: '2026-03-01T02:00:00Z', updated_at: '2026-03-01T02:00:00Z', version: 3,
};

function formItemOf(testId: string): HTMLElement {
  const el = screen.getByTestId(testId).closest('.ant-form-item');
  if (!(el instanceof HTMLElement)) throw new Error(`no form item around ${testId}`);
  return el;
}

afterEach(() => vi.unstubAllGlobals());

describe('InteractionModal', () => {
  it('logs a call with phone and now preset; field errors from the server show next to their fields', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const posts: { body: Record<string, unknown>; key: string | null }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/customers/c1/contacts') {
        return json(200, { data: [{ id: 'k1', customer_id: 'c1', name: '张伟', title: '采购经理', is_primary: true, version: 1 }], next_cursor: null });
      }
      if (url.pathname === '/api/v1/interactions' && req.method === 'POST') {
        const body = (await req.json()) as Record<string, unknown>;
        posts.push({ body, key: req.headers.get('Idempotency-Key') });
        if (posts.length === 1) {
          return problem(422, [
            { field: 'occurred_at', code: 'future', message: 'must not be in the future' },
            { field: 'subject', code: 'length', message: 'at most 200 characters' },
          ]);
        }
        return json(201, { ...interaction, id: 'i2', ...body });
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const onClose = vi.fn();
    const user = userEvent.setup();
    const before = Date.now();
    renderWithApp(<InteractionModal open customerId="c1" onClose={onClose} />);

    expect(await screen.findByTestId('interaction-channel')).toHaveTextContent('Phone');
    // no customer picker: the customer is given
    expect(screen.queryByTestId('interaction-customer')).toBeNull();
    await user.type(screen.getByTestId('interaction-subject'), '  Follow-up call  ');
    await user.type(screen.getByTestId('interaction-outcome'), 'Wants a quote');
    await user.click(screen.getByTestId('interaction-save'));

    await waitFor(() => expect(within(formItemOf('interaction-occurred-at')).getByText('must not be in the future')).toBeInTheDocument());
    expect(within(formItemOf('interaction-subject')).getByText('at most 200 characters')).toBeInTheDocument();
    expect(screen.queryByTestId('interaction-form-error')).toBeNull();
    expect(onClose).not.toHaveBeenCalled();
    const first = posts[0]!;
    expect(first.body).toMatchObject({ customer_id: 'c1', channel: 'phone', direction: 'outbound', subject: 'Follow-up call', outcome: 'Wants a quote' });
    expect(first.body).not.toHaveProperty('content');
    expect(first.key).toBeTruthy();
    const at = Date.parse(first.body.occurred_at as string);
    expect(at).toBeGreaterThanOrEqual(before - 60_000);
    expect(at).toBeLessThanOrEqual(Date.now());

    // saving again succeeds and closes the dialog
    await user.click(screen.getByTestId('interaction-save'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posts).toHaveLength(2);
    expect(posts[1]!.key).not.toBe(first.key);
  }, 40_000);

  it('requires a subject before calling the server', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const fetchMock = vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      return json(200, { data: [], next_cursor: null });
    });
    vi.stubGlobal('fetch', fetchMock);
    const user = userEvent.setup();
    renderWithApp(<InteractionModal open customerId="c1" onClose={() => undefined} />);
    await user.click(await screen.findByTestId('interaction-save'));
    await waitFor(() => expect(within(formItemOf('interaction-subject')).getByText('Required')).toBeInTheDocument());
    expect(fetchMock.mock.calls.some(([r]) => (r as Request).method === 'POST')).toBe(false);
  }, 20_000);

  it('edits with If-Match and only the changed fields', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const patches: { ifMatch: string | null; body: unknown }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/interactions/i1' && req.method === 'PATCH') {
        patches.push({ ifMatch: req.headers.get('If-Match'), body: await req.json() });
        return json(200, { ...interaction, version: 4 });
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const onClose = vi.fn();
    const user = userEvent.setup();
    renderWithApp(<InteractionModal open interaction={interaction} onClose={onClose} />);
    const subject = await screen.findByTestId('interaction-subject');
    await waitFor(() => expect((subject as HTMLInputElement).value).toBe('Intro call'));
    await user.type(screen.getByTestId('interaction-next-step'), 'Send the quote');
    await user.click(screen.getByTestId('interaction-save'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(patches).toEqual([{ ifMatch: '"3"', body: { next_step: 'Send the quote' } }]);
  }, 20_000);
});

describe('interaction form values', () => {
  it('leaves blank optional fields out of a create body', () => {
    const v = { channel: 'visit' as const, direction: 'inbound' as const, occurred_at: dayjs('2026-03-01T08:00:00Z'), subject: ' Visit ', content: '  ' };
    expect(toCreateInteraction('c1', v)).toEqual({ customer_id: 'c1', channel: 'visit', direction: 'inbound', occurred_at: '2026-03-01T08:00:00.000Z', subject: 'Visit' });
  });

  it('patches only what changed, ignoring the same instant written differently', () => {
    const same = interactionToForm(interaction);
    expect(toInteractionPatch(interaction, same)).toEqual({});
    expect(toInteractionPatch(interaction, { ...same, outcome: '', channel: 'email' })).toEqual({ outcome: null, channel: 'email' });
  });
});
