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

export type PortalSessionEvent = 'changed' | 'expired';
type Listener = (event: PortalSessionEvent) => void;
const listeners = new Set<Listener>();
let lastEnd: PortalSessionEvent | null = null;

function read(now: number): PortalTokens | null {
  try {
    const raw = localStorage.getItem(PORTAL_SESSION_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<PortalTokens>;
    if (typeof v.accessToken === 'string' && typeof v.expiresAt === 'number' && v.expiresAt > now) {
      return { accessToken: v.accessToken, expiresAt: v.expiresAt };
    }
  } catch {
    // unreadable storage counts as signed out
  }
  return null;
}

export const portalTokenStore = {
  /** The stored token, or null when there is none or it has expired. */
  get(now = Date.now()): PortalTokens | null {
    return read(now);
  },
  set(t: PortalTokens): void {
    lastEnd = null;
    localStorage.setItem(PORTAL_SESSION_KEY, JSON.stringify(t));
    listeners.forEach((l) => l('changed'));
  },
  /** Signs out of the portal only; `expired` says the server refused the token. */
  clear(reason: PortalSessionEvent = 'changed'): void {
    lastEnd = reason;
    localStorage.removeItem(PORTAL_SESSION_KEY);
    listeners.forEach((l) => l(reason));
  },
  expired(): boolean {
    return lastEnd === 'expired';
  },
  subscribe(l: Listener): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

export function portalTokensFromSession(body: { access_token: string; expires_at: string }): PortalTokens {
  return { accessToken: body.access_token, expiresAt: Date.parse(body.expires_at) };
}
