/** Only same-app paths are followed after sign-in (no open redirect to another origin). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/';
  return next;
}

export function loginPath(current: string, reason?: 'expired'): string {
  const params = new URLSearchParams();
  if (current && current !== '/' && !current.startsWith('/login')) params.set('next', current);
  if (reason) params.set('reason', reason);
  const qs = params.toString();
  return qs ? `/login?${qs}` : '/login';
}
