import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './generated/schema';
import { defaultBaseUrl, languageMiddleware, problemMiddleware } from './client';
import { keyedPost } from './idempotency';
import { portalTokenStore } from './portalSession';

/** Only the portal's routes: the portal client cannot be pointed at a staff route by mistake. */
export type PortalPaths = { [K in keyof paths as K extends `/api/v1/portal/${string}` ? K : never]: paths[K] };

/** Routes called without a portal token. */
const OPEN_PATHS = ['/api/v1/portal/auth/login', '/api/v1/portal/auth/accept-invitation'];

type FetchFn = (input: Request) => Promise<Response>;

/**
 * Adds the portal token (never the staff one); a 401 on any other route ends the portal session,
 * which sends the customer back to the portal's sign-in page. There is nothing to refresh.
 */
export function portalAuthMiddleware(): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      if (OPEN_PATHS.includes(schemaPath)) return undefined;
      const tokens = portalTokenStore.get();
      if (tokens) request.headers.set('Authorization', `Bearer ${tokens.accessToken}`);
      return request;
    },
    onResponse({ response, schemaPath }) {
      if (response.status === 401 && !OPEN_PATHS.includes(schemaPath) && portalTokenStore.get()) portalTokenStore.clear('expired');
      return undefined;
    },
  };
}

export function createPortalClient(opts: { fetch?: FetchFn; baseUrl?: string } = {}) {
  const client = createClient<PortalPaths>({
    baseUrl: opts.baseUrl ?? defaultBaseUrl(),
    fetch: opts.fetch ?? ((req: Request) => globalThis.fetch(req)),
  });
  // onResponse runs last-registered first: the session is ended before the problem is thrown.
  client.use(languageMiddleware, problemMiddleware, portalAuthMiddleware());
  return client;
}

export type PortalClient = ReturnType<typeof createPortalClient>;

/** The portal's one client, typed by the same generated schema as the staff client. */
export const portalApi: PortalClient = createPortalClient();

/** `portalApi.POST` for a form's submission, with its `Idempotency-Key`; see `postOnce` in client.ts. */
export const portalPostOnce = keyedPost(portalApi);
