import { describe, expect, it, vi } from 'vitest';
import { createApiClient } from './client';
import { createPortalClient } from './portalClient';
import { PORTAL_SESSION_KEY, portalTokensFromSession, portalTokenStore } from './portalSession';
import { ProblemError } from './problem';
import { tokenStore } from './tokens';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json' } });

function recorder(answer: (req: Request) => Response = () => json(200, { data: [], next_cursor: null })) {
  const seen: { path: string; auth: string | null }[] = [];
  const fetch = vi.fn(async (req: Request) => {
    seen.push({ path: new URL(req.url).pathname, auth: req.headers.get('Authorization') });
    return answer(req);
  });
  return { fetch, seen };
}

const staff = { accessToken: 'staff-access', refreshToken: 'staff-refresh', expiresAt: Date.now() + 600_000 };
const portal = { accessToken: 'portal-access', expiresAt: Date.now() + 600_000 };

describe('portal session', () => {
  it('is stored apart from the staff session', () => {
    tokenStore.set(staff);
    portalTokenStore.set(portal);
    expect(localStorage.getItem(PORTAL_SESSION_KEY)).toContain('portal-access');
    expect(localStorage.getItem('crm.session')).toContain('staff-access');
    expect(localStorage.getItem('crm.session')).not.toContain('portal-access');
    // signing out of the portal leaves the staff session alone, and the other way round
    portalTokenStore.clear();
    expect(tokenStore.get()?.accessToken).toBe('staff-access');
    portalTokenStore.set(portal);
    tokenStore.clear();
    expect(portalTokenStore.get()?.accessToken).toBe('portal-access');
  });

  it('reads the server expiry and forgets an expired token', () => {
    const t = portalTokensFromSession({ access_token: 'x', expires_at: '2026-11-23T12:00:00Z' });
    expect(t).toEqual({ accessToken: 'x', expiresAt: Date.parse('2026-11-23T12:00:00Z') });
    portalTokenStore.set(t);
    expect(portalTokenStore.get(Date.parse('2026-11-23T11:59:00Z'))).not.toBeNull();
    expect(portalTokenStore.get(Date.parse('2026-11-23T12:00:01Z'))).toBeNull();
  });

  it('sends the portal token from the portal client and the staff token from the staff client, never crossed', async () => {
    tokenStore.set(staff);
    portalTokenStore.set(portal);
    const server = recorder();
    const portalApi = createPortalClient({ fetch: server.fetch, baseUrl: 'http://x' });
    const staffApi = createApiClient({ fetch: server.fetch, baseUrl: 'http://x' });
    await portalApi.GET('/api/v1/portal/tickets');
    await staffApi.GET('/api/v1/tickets');
    expect(server.seen).toEqual([
      { path: '/api/v1/portal/tickets', auth: 'Bearer portal-access' },
      { path: '/api/v1/tickets', auth: 'Bearer staff-access' },
    ]);
  });

  it('signs in without a token', async () => {
    portalTokenStore.set(portal);
    const server = recorder(() => json(200, { access_token: 'p2', token_type: 'Bearer', expires_at: '2030-01-01T00:00:00Z', me: {} }));
    const portalApi = createPortalClient({ fetch: server.fetch, baseUrl: 'http://x' });
    await portalApi.POST('/api/v1/portal/auth/login', { body: { email: 'a@b.cn', password: 'secret-secret' } });
    expect(server.seen).toEqual([{ path: '/api/v1/portal/auth/login', auth: null }]);
  });

  it('ends only the portal session on 401, with no refresh attempt', async () => {
    tokenStore.set(staff);
    portalTokenStore.set(portal);
    const events: string[] = [];
    const off = portalTokenStore.subscribe((e) => events.push(e));
    const server = recorder(() => json(401, { type: '/problems/unauthorized', title: 'Unauthorized', status: 401 }));
    const portalApi = createPortalClient({ fetch: server.fetch, baseUrl: 'http://x' });
    await expect(portalApi.GET('/api/v1/portal/me')).rejects.toBeInstanceOf(ProblemError);
    off();
    expect(server.seen.map((s) => s.path)).toEqual(['/api/v1/portal/me']);
    expect(portalTokenStore.get()).toBeNull();
    expect(portalTokenStore.expired()).toBe(true);
    expect(events).toEqual(['expired']);
    expect(tokenStore.get()?.accessToken).toBe('staff-access');
  });

  it('a wrong password is an error, not an ended session', async () => {
    const server = recorder(() => json(401, { type: '/problems/unauthorized', title: 'Unauthorized', status: 401 }));
    const portalApi = createPortalClient({ fetch: server.fetch, baseUrl: 'http://x' });
    portalTokenStore.clear();
    await expect(portalApi.POST('/api/v1/portal/auth/login', { body: { email: 'a@b.cn', password: 'wrong' } })).rejects.toMatchObject({ status: 401 });
    expect(portalTokenStore.expired()).toBe(false);
  });
});
