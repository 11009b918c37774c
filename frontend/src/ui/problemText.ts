import { useTranslation } from 'react-i18next';
import type { i18n as I18n } from 'i18next';
import { isProblemError, type FieldError, type ProblemError, type ProblemParams } from '../api/problem';

/**
 * The code a problem is read by. Servers before stable codes sent only a status; the statuses whose
 * meaning does not depend on the route stand for their code.
 */
const CODE_OF_STATUS: Record<number, string> = {
  403: 'forbidden',
  404: 'not_found',
  412: 'stale_version',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Whether a write was refused because the record changed since it was read (412 on `If-Match`). */
export function isStale(error: unknown): boolean {
  return isProblemError(error) && (error.problem.code === 'stale_version' || error.status === 412);
}

/** Whether the server refused with one of these specific codes (`team.in_use`, not a status). */
export function hasCode(error: unknown, ...codes: string[]): error is ProblemError {
  return isProblemError(error) && error.problem.code !== null && error.problem.code !== undefined && codes.includes(error.problem.code);
}

/**
 * The SPA's own sentence under `key`, filled from `params`; null when there is none, or when it
 * needs a value the server did not send (a sentence with a blank in it is worse than the server's).
 */
function ownText(i18n: I18n, key: string, params: ProblemParams | undefined): string | null {
  const template: unknown = i18n.getResource(i18n.language, 'translation', key);
  if (typeof template !== 'string') return null;
  const needed = [...template.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '');
  if (needed.some((name) => params?.[name] === undefined)) return null;
  return i18n.t(key, { ...params });
}

/**
 * The sentence for one invalid field: the SPA's text for its code (`fieldError.too_long` with
 * `{max}`) when there is one, else the server's message (in the language asked for), else the code.
 */
export function fieldErrorText(error: FieldError, i18n: I18n): string {
  return ownText(i18n, `fieldError.${error.code}`, error.params) ?? (error.message || error.code);
}

/**
 * The sentence to show a person for a failed request: the SPA's text for the problem's code when
 * there is one (`problem.stale_version`, `problem.customer.credit_code_taken`), else the server's
 * `detail` (in the language asked for), else its title. A request that never got an answer reads as
 * a connection problem; any other error shows its own message.
 */
export function problemText(error: unknown, i18n: I18n): string {
  if (!isProblemError(error)) {
    // fetch rejects with a TypeError when the server cannot be reached
    if (error instanceof TypeError) return i18n.t('common.networkError');
    return error instanceof Error ? error.message : String(error);
  }
  const { problem } = error;
  const code = problem.code ?? CODE_OF_STATUS[problem.status];
  const params = { ...(error.retryAfter !== null ? { seconds: error.retryAfter } : {}), ...problem.params };
  const own = code ? ownText(i18n, `problem.${code}`, params) : null;
  return own ?? problem.detail ?? problem.title;
}

/** {@link problemText} in the language the UI shows now (the component re-renders when it changes). */
export function useProblemText(): (error: unknown) => string {
  const { i18n } = useTranslation();
  return (error: unknown) => problemText(error, i18n);
}
