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

const KEY = 'crm.session';

export type SessionEvent = 'changed' | 'expired';
type Listener = (event: SessionEvent) => void;
const listeners = new Set<Listener>();
/** Why the last session ended: 'expired' when the server refused it, so sign-in can say so. */
let lastEnd: SessionEvent | null = null;

function read(): Tokens | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<Tokens>;
    if (typeof v.accessToken === 'string' && typeof v.refreshToken === 'string' && typeof v.expiresAt === 'number') {
      return { accessToken: v.accessToken, refreshToken: v.refreshToken, expiresAt: v.expiresAt };
    }
  } catch {
    // unreadable storage counts as signed out
  }
  return null;
}

export const tokenStore = {
  get(): Tokens | null {
    return read();
  },
  set(t: Tokens): void {
    lastEnd = null;
    localStorage.setItem(KEY, JSON.stringify(t));
    listeners.forEach((l) => l('changed'));
  },
  /** Signs out locally; `expired` tells listeners the server refused the session. */
  clear(reason: SessionEvent = 'changed'): void {
    lastEnd = reason;
    localStorage.removeItem(KEY);
    listeners.forEach((l) => l(reason));
  },
  /** True when the session ended because the server refused it (not a sign-out). */
  expired(): boolean {
    return lastEnd === 'expired';
  },
  subscribe(l: Listener): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

export function tokensFromLogin(body: { access_token: string; refresh_token: string; expires_in: number }, now = Date.now()): Tokens {
  return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresAt: now + body.expires_in * 1000 };
}
