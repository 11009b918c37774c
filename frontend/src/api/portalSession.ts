import { storedSession } from './storedSession';

/**
 * The customer portal's session: its own bearer token under its own localStorage key, apart from
 * the staff session (`crm.session`), so a customer and a colleague can share a browser without
 * either token ever reaching the other's routes. The portal has no refresh token: when the token
 * expires or is refused, the customer signs in again.
 */
export interface PortalTokens {
  accessToken: string;
  /** Epoch milliseconds after which the token is expired. */
  expiresAt: number;
}

export const PORTAL_SESSION_KEY = 'crm.portal.session';

/** Its `get` answers null once the token has expired. */
export const portalTokenStore = storedSession<PortalTokens>(PORTAL_SESSION_KEY, (v, now) =>
  typeof v.accessToken === 'string' && typeof v.expiresAt === 'number' && v.expiresAt > now ? { accessToken: v.accessToken, expiresAt: v.expiresAt } : null,
);

export function portalTokensFromSession(body: { access_token: string; expires_at: string }): PortalTokens {
  return { accessToken: body.access_token, expiresAt: Date.parse(body.expires_at) };
}
