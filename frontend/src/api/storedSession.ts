/** What listeners of a session hear: it changed (sign-in, refresh, sign-out), or the server refused it. */
export type SessionEvent = 'changed' | 'expired';
type Listener = (event: SessionEvent) => void;

export interface SessionStore<T> {
  /** The stored tokens, or null when there are none (or `read` does not accept them at `now`). */
  get(now?: number): T | null;
  set(tokens: T): void;
  /** Signs this session out; `expired` tells listeners the server refused it. */
  clear(reason?: SessionEvent): void;
  /** True when the session ended because the server refused it (not a sign-out), so sign-in can say so. */
  expired(): boolean;
  subscribe(listener: Listener): () => void;
}

/**
 * A session's tokens kept in localStorage under `key`, so a reload keeps the session. `read` checks
 * what is stored and returns the tokens, or null to count as signed out; so does unreadable storage.
 */
export function storedSession<T>(key: string, read: (stored: Partial<T>, now: number) => T | null): SessionStore<T> {
  const listeners = new Set<Listener>();
  let lastEnd: SessionEvent | null = null;
  return {
    get(now = Date.now()) {
      try {
        const raw = localStorage.getItem(key);
        if (!raw) return null;
        return read(JSON.parse(raw) as Partial<T>, now);
      } catch {
        // unreadable storage counts as signed out
        return null;
      }
    },
    set(tokens) {
      lastEnd = null;
      localStorage.setItem(key, JSON.stringify(tokens));
      listeners.forEach((l) => l('changed'));
    },
    clear(reason = 'changed') {
      lastEnd = reason;
      localStorage.removeItem(key);
      listeners.forEach((l) => l(reason));
    },
    expired() {
      return lastEnd === 'expired';
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}
