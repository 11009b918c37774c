import { beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { createApiClient, ifMatch } from './client';
import { keyedPost } from './idempotency';
import { createPortalClient } from './portalClient';
import { ProblemError } from './problem';
import { tokenStore } from './tokens';

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
const problem = (status: number, extra: object = {}) =>
  json(status, { type: `/problems/${status}`, title: `HTTP ${status}`, status, request_id: 'r1', ...extra }, 'application/problem+json');

const customer = { id: 'c1', name: 'ACME', version: 3 };
const refreshed = { access_token: 'access-2', refresh_token: 'refresh-2', token_type: 'Bearer', expires_in: 900, user: {} };

/** A fake server: access tokens in `valid` are accepted; /auth/refresh hands out access-2 once. */
function fakeServer(opts: { refreshStatus?: number; refreshDelay?: number } = {}) {
  const valid = new Set(['access-2']);
  const calls: { url: string; method: string; auth: string | null; body: string; ifMatch: string | null }[] = [];
  const fetch = vi.fn(async (req: Request) => {
    const body = await req.text();
    const url = new URL(req.url, 'http://x').pathname;
    calls.push({ url, method: req.method, auth: req.headers.get('Authorization'), body, ifMatch: req.headers.get('If-Match') });
    if (url === '/api/v1/auth/refresh') {
      if (opts.refreshDelay) await new Promise((r) => setTimeout(r, opts.refreshDelay));
      if (opts.refreshStatus && opts.refreshStatus !== 200) return problem(opts.refreshStatus);
      return JSON.parse(body).refresh_token === 'refresh-1' ? json(200, refreshed) : problem(401);
    }
    const token = req.headers.get('Authorization')?.replace('Bearer ', '');
    if (!token || !valid.has(token)) return problem(401);
    if (url === '/api/v1/customers' && req.method === 'POST') return json(201, { ...customer, ...JSON.parse(body) });
    if (url === '/api/v1/customers/c1' && req.method === 'PATCH') return json(200, { ...customer, version: 4 });
    return json(200, customer);
  });
  return { fetch, calls };
}

beforeEach(() => {
  tokenStore.set({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: Date.now() + 1000 });
});

describe('API client auth', () => {
  it('sends the bearer token', async () => {
    tokenStore.set({ accessToken: 'access-2', refreshToken: 'refresh-1', expiresAt: Date.now() + 900_000 });
    const server = fakeServer();
    const api = createApiClient({ fetch: server.fetch, baseUrl: 'http://x' });
    const { data } = await api.GET('/api/v1/customers/{id}', { params: { path: { id: 'c1' } } });
    expect(data?.name).toBe('ACME');
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]?.auth).toBe('Bearer access-2');
  });

  it('refreshes silently on 401 and replays the request with its body', async () => {
    const server = fakeServer();
    const api = createApiClient({ fetch: server.fetch, baseUrl: 'http://x' });
    const { data } = await api.POST('/api/v1/customers', { body: { kind: 'company', name: 'Replayed' } });
    expect(data?.name).toBe('Replayed');
    expect(server.calls.map((c) => c.url)).toEqual(['/api/v1/customers', '/api/v1/auth/refresh', '/api/v1/customers']);
    expect(server.calls[2]?.auth).toBe('Bearer access-2');
    expect(JSON.parse(server.calls[2]?.body ?? '{}')).toEqual({ kind: 'company', name: 'Replayed' });
    expect(tokenStore.get()).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
  });

  it('refreshes once for many concurrent 401s (single flight)', async () => {
    const server = fakeServer({ refreshDelay: 20 });
    const api = createApiClient({ fetch: server.fetch, baseUrl: 'http://x' });
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => api.GET('/api/v1/customers/{id}', { params: { path: { id: 'c1' } } })),
    );
    expect(results.every((r) => r.data?.id === 'c1')).toBe(true);
    expect(server.calls.filter((c) => c.url === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('ends the session when the refresh token is refused, and throws the 401', async () => {
    const server = fakeServer({ refreshStatus: 401 });
    const api = createApiClient({ fetch: server.fetch, baseUrl: 'http://x' });
    const events: string[] = [];
    const unsubscribe = tokenStore.subscribe((e) => events.push(e));
    const err = await api.GET('/api/v1/customers/{id}', { params: { path: { id: 'c1' } } }).catch((e: unknown) => e);
    unsubscribe();
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).status).toBe(401);
    expect(tokenStore.get()).toBeNull();
    expect(events).toContain('expired');
  });

  it('does not try to refresh a failed login', async () => {
    const fetch = vi.fn(async () => problem(401, { detail: 'bad credentials' }));
    const api = createApiClient({ fetch, baseUrl: 'http://x' });
    const err = await api.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'x' } }).catch((e: unknown) => e);
    expect((err as ProblemError).status).toBe(401);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe('API client problems', () => {
  it('throws problem+json as a typed ProblemError with field errors', async () => {
    tokenStore.set({ accessToken: 'access-2', refreshToken: 'r', expiresAt: Date.now() + 900_000 });
    const fetch = vi.fn(async () =>
      problem(422, { detail: '1 field is invalid', errors: [{ field: 'phone', code: 'phone', message: 'not a valid phone number' }] }),
    );
    const api = createApiClient({ fetch, baseUrl: 'http://x' });
    const err = await api.POST('/api/v1/customers', { body: { kind: 'company', name: 'x', phone: '123' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProblemError);
    const p = err as ProblemError;
    expect(p.status).toBe(422);
    expect(p.message).toBe('1 field is invalid');
    expect(p.fieldErrors).toEqual([{ field: 'phone', code: 'phone', message: 'not a valid phone number' }]);
    expect(p.problem.request_id).toBe('r1');
  });

  it('reads the problem code and the params of the problem and of each field, keeping only text and numbers', async () => {
    tokenStore.set({ accessToken: 'access-2', refreshToken: 'r', expiresAt: Date.now() + 900_000 });
    const fetch = vi.fn(async () =>
      problem(422, {
        code: 'validation',
        params: { count: 1, nested: { no: true } },
        errors: [{ field: 'name', code: 'too_long', message: 'at most 200 characters', params: { max: 200, flag: true } }],
      }),
    );
    const api = createApiClient({ fetch, baseUrl: 'http://x' });
    const p = (await api.POST('/api/v1/customers', { body: { kind: 'company', name: 'x' } }).catch((e: unknown) => e)) as ProblemError;
    expect(p.problem.code).toBe('validation');
    expect(p.problem.params).toEqual({ count: 1 });
    expect(p.fieldErrors).toEqual([{ field: 'name', code: 'too_long', message: 'at most 200 characters', params: { max: 200 } }]);
  });

  it('reads Retry-After of a 429', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ type: 't', title: 'Too many', status: 429 }), { status: 429, headers: { 'Retry-After': '30', 'Content-Type': 'application/problem+json' } }));
    const api = createApiClient({ fetch, baseUrl: 'http://x' });
    const err = (await api.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'x' } }).catch((e: unknown) => e)) as ProblemError;
    expect(err.status).toBe(429);
    expect(err.retryAfter).toBe(30);
  });

  it('asks for the language the UI shows now, on the staff and the portal client', async () => {
    tokenStore.set({ accessToken: 'access-2', refreshToken: 'r', expiresAt: Date.now() + 900_000 });
    const languages: (string | null)[] = [];
    const fetch = vi.fn(async (req: Request) => {
      languages.push(req.headers.get('Accept-Language'));
      return new Response(JSON.stringify(customer), { status: 200, headers: { 'Content-Type': 'application/json' } });
    });
    const api = createApiClient({ fetch, baseUrl: 'http://x' });
    const portal = createPortalClient({ fetch, baseUrl: 'http://x' });
    await i18n.changeLanguage('zh-CN');
    await api.GET('/api/v1/customers/{id}', { params: { path: { id: 'c1' } } });
    await i18n.changeLanguage('en');
    await api.GET('/api/v1/customers/{id}', { params: { path: { id: 'c1' } } });
    await portal.GET('/api/v1/portal/tickets');
    expect(languages).toEqual(['zh-CN', 'en', 'en']);
  });

  it('asks for personal values masked on every staff request (a replay after a refresh too), never on the portal client', async () => {
    const sent: { client: string; path: string; prefer: string | null }[] = [];
    const server = fakeServer();
    const record = (client: string) => vi.fn(async (req: Request) => {
      sent.push({ client, path: new URL(req.url).pathname, prefer: req.headers.get('Prefer') });
      return client === 'staff' ? server.fetch(req) : json(200, { data: [], next_cursor: null });
    });
    // access-1 is refused: the first request is replayed after a refresh
    const api = createApiClient({ fetch: record('staff'), baseUrl: 'http://x' });
    const portal = createPortalClient({ fetch: record('portal'), baseUrl: 'http://x' });
    await api.GET('/api/v1/customers/{id}', { params: { path: { id: 'c1' } } });
    await api.POST('/api/v1/customers/{id}/reveal', { params: { path: { id: 'c1' } } });
    await keyedPost(api)('/api/v1/customers/{id}/contacts', { params: { path: { id: 'c1' } }, body: { name: 'a' } });
    await portal.GET('/api/v1/portal/tickets');
    expect(sent).toEqual([
      { client: 'staff', path: '/api/v1/customers/c1', prefer: 'personal-data=masked' },
      // the refresh itself goes around the middleware: it carries no personal data
      { client: 'staff', path: '/api/v1/auth/refresh', prefer: null },
      { client: 'staff', path: '/api/v1/customers/c1', prefer: 'personal-data=masked' },
      { client: 'staff', path: '/api/v1/customers/c1/reveal', prefer: 'personal-data=masked' },
      { client: 'staff', path: '/api/v1/customers/c1/contacts', prefer: 'personal-data=masked' },
      { client: 'portal', path: '/api/v1/portal/tickets', prefer: null },
    ]);
  });

  it('a keyed POST sends one Idempotency-Key per submission, keeping the caller\'s other headers', async () => {
    tokenStore.set({ accessToken: 'access-2', refreshToken: 'r', expiresAt: Date.now() + 900_000 });
    const sent: { key: string | null; path: string }[] = [];
    const fetch = vi.fn(async (req: Request) => {
      sent.push({ key: req.headers.get('Idempotency-Key'), path: new URL(req.url).pathname });
      return new Response(JSON.stringify({ id: 'k1' }), { status: 201, headers: { 'Content-Type': 'application/json' } });
    });
    const post = keyedPost(createApiClient({ fetch, baseUrl: 'http://x' }));
    const body = { name: 'a' };
    // the same values for two customers are two submissions
    await Promise.all([
      post('/api/v1/customers/{id}/contacts', { params: { path: { id: 'c1' } }, body }),
      post('/api/v1/customers/{id}/contacts', { params: { path: { id: 'c1' } }, body }),
      post('/api/v1/customers/{id}/contacts', { params: { path: { id: 'c2' } }, body }),
    ]);
    expect(sent.map((s) => s.path)).toEqual(['/api/v1/customers/c1/contacts', '/api/v1/customers/c2/contacts']);
    expect(sent[0]?.key).toBeTruthy();
    expect(sent[1]?.key).toBeTruthy();
    expect(sent[0]?.key).not.toBe(sent[1]?.key);
  });

  it('sends If-Match with the quoted version', async () => {
    tokenStore.set({ accessToken: 'access-2', refreshToken: 'r', expiresAt: Date.now() + 900_000 });
    const server = fakeServer();
    const api = createApiClient({ fetch: server.fetch, baseUrl: 'http://x' });
    await api.PATCH('/api/v1/customers/{id}', { params: { path: { id: 'c1' }, header: { 'If-Match': ifMatch(3) } }, body: { name: 'n' } });
    expect(server.calls[0]?.ifMatch).toBe('"3"');
  });
});
