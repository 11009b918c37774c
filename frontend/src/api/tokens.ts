import { storedSession } from './storedSession';

/**
 * The signed-in session's tokens, kept in localStorage so a reload keeps the session.
 * Listeners hear about every change (sign-in, refresh, sign-out, expiry).
 */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds after which the access token is expired. */
  expiresAt: number;
}

export const tokenStore = storedSession<Tokens>('crm.session', (v) =>
  typeof v.accessToken === 'string' && typeof v.refreshToken === 'string' && typeof v.expiresAt === 'number'
    ? { accessToken: v.accessToken, refreshToken: v.refreshToken, expiresAt: v.expiresAt }
    : null,
);

export function tokensFromLogin(body: { access_token: string; refresh_token: string; expires_in: number }, now = Date.now()): Tokens {
  return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresAt: now + body.expires_in * 1000 };
}
