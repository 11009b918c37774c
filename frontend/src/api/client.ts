import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './generated/schema';
import { currentLanguage } from '../i18n';
import { keyedPost } from './idempotency';
import { problemFromResponse } from './problem';
import { tokenStore, tokensFromLogin, type Tokens } from './tokens';

const AUTH_PATHS = ['/api/v1/auth/login', '/api/v1/auth/login/2fa', '/api/v1/auth/refresh', '/api/v1/auth/logout'];

type FetchFn = (input: Request) => Promise<Response>;

/** The app is served beside the API, so requests go to the page's own origin. */
export function defaultBaseUrl(): string {
  return typeof location === 'undefined' ? '' : location.origin;
}

/**
 * Exchanges the refresh token for a new pair. Concurrent callers share one request
 * (single flight): refresh tokens rotate, so a second parallel refresh would present a
 * used token and revoke the whole family.
 */
let inflight: Promise<Tokens | null> | null = null;

export function refreshSession(fetchFn: FetchFn, baseUrl = defaultBaseUrl()): Promise<Tokens | null> {
  if (inflight) return inflight;
  const current = tokenStore.get();
  if (!current) return Promise.resolve(null);
  inflight = (async () => {
    try {
      const res = await fetchFn(
        new Request(`${baseUrl}/api/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refresh_token: current.refreshToken }),
        }),
      );
      if (!res.ok) {
        // 401: the refresh token is expired, revoked or reused: the session is over.
        if (res.status === 401 || res.status === 400 || res.status === 403) tokenStore.clear('expired');
        return null;
      }
      const body = (await res.json()) as { access_token: string; refresh_token: string; expires_in: number };
      const next = tokensFromLogin(body);
      tokenStore.set(next);
      return next;
    } catch {
      // network trouble: keep the tokens, the next request may succeed
      return null;
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

/** Adds the bearer token; on 401 refreshes once (shared) and replays the request. */
export function authMiddleware(): Middleware {
  const pending = new Map<string, Request>();
  return {
    onRequest({ request, schemaPath, id }) {
      if (AUTH_PATHS.includes(schemaPath)) return undefined;
      const tokens = tokenStore.get();
      if (tokens) request.headers.set('Authorization', `Bearer ${tokens.accessToken}`);
      // Keep an unread copy so the request can be replayed after a refresh.
      pending.set(id, request.clone());
      return request;
    },
    async onResponse({ response, schemaPath, id, options }) {
      const original = pending.get(id);
      pending.delete(id);
      if (response.status !== 401 || !original || AUTH_PATHS.includes(schemaPath)) return undefined;
      const sentWith = original.headers.get('Authorization');
      const current = tokenStore.get();
      let tokens: Tokens | null = current;
      // Another request may already have refreshed while this one was in flight.
      if (!current || sentWith === `Bearer ${current.accessToken}`) {
        tokens = await refreshSession(options.fetch, options.baseUrl);
      }
      if (!tokens) {
        if (tokenStore.get()) tokenStore.clear('expired');
        return undefined;
      }
      const retry = new Request(original);
      retry.headers.set('Authorization', `Bearer ${tokens.accessToken}`);
      const replayed = await options.fetch(retry);
      if (replayed.status === 401) tokenStore.clear('expired');
      return replayed;
    },
    onError({ id }) {
      pending.delete(id);
      return undefined;
    },
  };
}

/**
 * Asks for the server's sentences (problem `detail`, field messages) in the language the UI shows
 * now, read per request so a language switch applies to the next call.
 */
export const languageMiddleware: Middleware = {
  onRequest({ request }) {
    request.headers.set('Accept-Language', currentLanguage());
    return request;
  },
};

/**
 * Asks for customers' and contacts' personal values masked on every answer, even where the role's
 * `pii` scope reaches them: a person sees them in clear only through `POST …/{id}/reveal`, which the
 * server audits (the eye of `PersonalValue`). Only the staff client sends it; the portal shows a
 * contact their own data.
 */
export const PREFER_MASKED = 'personal-data=masked';

export const maskedMiddleware: Middleware = {
  onRequest({ request }) {
    request.headers.set('Prefer', PREFER_MASKED);
    return request;
  },
};

/** Turns every non-2xx answer into a thrown ProblemError. */
export const problemMiddleware: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await problemFromResponse(response);
    return undefined;
  },
};

export function createApiClient(opts: { fetch?: FetchFn; baseUrl?: string } = {}) {
  const client = createClient<paths>({
    baseUrl: opts.baseUrl ?? defaultBaseUrl(),
    fetch: opts.fetch ?? ((req: Request) => globalThis.fetch(req)),
  });
  // onResponse runs last-registered first: auth retries a 401 before problems are thrown.
  client.use(languageMiddleware, maskedMiddleware, problemMiddleware, authMiddleware());
  return client;
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The app's one client. */
export const api: ApiClient = createApiClient();

/**
 * `api.POST` for a form's submission: carries the submission's `Idempotency-Key` (see
 * {@link submitOnce}), so a double click or a retry creates one record. Every create goes through it.
 */
export const postOnce = keyedPost(api);

/** openapi-fetch types `data` as optional; the middleware already threw on failures. */
export function must<T>(result: { data?: T; response: Response }): T {
  if (result.data === undefined) throw new Error(`Empty response from ${result.response.url}`);
  return result.data;
}

/** The `If-Match` value for a record of this version. */
export function ifMatch(version: number): string {
  return `"${version}"`;
}
