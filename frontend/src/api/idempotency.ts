import { isProblemError } from './problem';

/** The header every create request carries; see {@link submitOnce}. */
export type IdempotencyHeader = {
  'Idempotency-Key': string;
};

/** Keys of submissions not yet answered for good, by operation and body. */
const keys = new Map<string, string>();
/** Submissions on the wire, by operation and body: a second click joins the first request. */
const inFlight = new Map<string, Promise<unknown>>();
/** Enough for every form a user can have open; the oldest unanswered key is forgotten first. */
const MAX_KEYS = 100;

/**
 * Whether the server may not have decided the submission: nothing came back (network error), it
 * failed (5xx) or asked to come back later. Those are retried with the same key, so a write that
 * did commit is replayed instead of made twice. Any other answer was stored by the server.
 */
function outcomeUnknown(error: unknown): boolean {
  if (!isProblemError(error)) return true;
  return error.status >= 500 || error.status === 408 || error.status === 429;
}

/**
 * Sends one form submission of a create with its `Idempotency-Key`. This is the one place keys
 * are made. A submission is the operation with its body: clicking again, or a mutation retry,
 * with the same values reuses the key (and while the first request is still on the wire, joins
 * it instead of sending another), so a double click creates one record. Changed values are a new
 * submission with a new key. Once the server has answered for good, the key is dropped, so
 * saving the same values again later creates another record as the user asked.
 */
export function submitOnce<T>(operation: string, body: unknown, send: (header: IdempotencyHeader) => Promise<T>): Promise<T> {
  const submission = `${operation}\n${JSON.stringify(body)}`;
  const pending = inFlight.get(submission);
  if (pending) return pending as Promise<T>;
  let key = keys.get(submission);
  if (key === undefined) {
    key = crypto.randomUUID();
    keys.set(submission, key);
    if (keys.size > MAX_KEYS) {
      const oldest = keys.keys().next().value;
      if (oldest !== undefined) keys.delete(oldest);
    }
  }
  const request = send({ 'Idempotency-Key': key })
    .then(
      (result) => {
        keys.delete(submission);
        return result;
      },
      (error: unknown) => {
        if (!outcomeUnknown(error)) keys.delete(submission);
        throw error;
      },
    )
    .finally(() => inFlight.delete(submission));
  inFlight.set(submission, request);
  return request;
}

/** What {@link keyedPost} reads of a POST's options: the parameters name the operation, the body the submission. */
interface PostInit {
  params?: { header?: Record<string, string>; path?: unknown; query?: unknown };
  body?: unknown;
}

/**
 * An openapi-fetch client's `POST`, typed as the original, that sends each form submission with its
 * `Idempotency-Key` through {@link submitOnce}. A submission is the route with its path and query
 * parameters and the body, so two customers' contact forms never share a key.
 */
export function keyedPost<C extends { POST: unknown }>(client: C): C['POST'] {
  const post = (client.POST as (path: string, init: PostInit) => Promise<unknown>).bind(client);
  const keyed = (path: string, init: PostInit = {}) => {
    const { header, ...where } = init.params ?? {};
    return submitOnce(`POST ${path} ${JSON.stringify(where)}`, init.body ?? null, (key) =>
      post(path, { ...init, params: { ...init.params, header: { ...header, ...key } } }),
    );
  };
  return keyed as C['POST'];
}
