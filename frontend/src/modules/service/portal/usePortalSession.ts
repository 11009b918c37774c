import { useSyncExternalStore } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { must } from '../../../api/client';
import { portalApi } from '../../../api/portalClient';
import { portalTokensFromSession, portalTokenStore } from '../../../api/portalSession';
import type { PortalSession } from '../../../api/types';

export const portalKeys = {
  all: ['portal'] as const,
  me: ['portal', 'me'] as const,
  tickets: ['portal', 'tickets'] as const,
  ticketList: (status: string) => ['portal', 'tickets', 'list', status] as const,
  ticket: (id: string) => ['portal', 'tickets', 'one', id] as const,
  comments: (id: string) => ['portal', 'tickets', 'comments', id] as const,
  categories: ['portal', 'kb', 'categories'] as const,
  articles: (q: Record<string, string>) => ['portal', 'kb', 'list', q] as const,
  article: (id: string) => ['portal', 'kb', 'article', id] as const,
};

function subscribe(cb: () => void) {
  return portalTokenStore.subscribe(cb);
}
function snapshot() {
  return portalTokenStore.get() !== null;
}

/** True while a portal token is stored (apart from any staff session in the same browser). */
export function usePortalSignedIn(): boolean {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export function usePortalMe() {
  const signedIn = usePortalSignedIn();
  return useQuery({
    queryKey: portalKeys.me,
    enabled: signedIn,
    staleTime: 5 * 60_000,
    queryFn: async () => must(await portalApi.GET('/api/v1/portal/me')),
  });
}

function useStartSession() {
  const qc = useQueryClient();
  return (session: PortalSession) => {
    qc.clear();
    qc.setQueryData(portalKeys.me, session.me);
    portalTokenStore.set(portalTokensFromSession(session));
  };
}

export function usePortalLogin() {
  const start = useStartSession();
  return useMutation({
    mutationFn: async (body: { email: string; password: string }) => must(await portalApi.POST('/api/v1/portal/auth/login', { body })),
    onSuccess: start,
  });
}

/** Sets the password chosen on the invitation page and signs in. */
export function usePortalAcceptInvitation() {
  const start = useStartSession();
  return useMutation({
    mutationFn: async (body: { token: string; password: string }) =>
      must(await portalApi.POST('/api/v1/portal/auth/accept-invitation', { body })),
    onSuccess: start,
  });
}

export function usePortalLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      if (!portalTokenStore.get()) return;
      try {
        await portalApi.POST('/api/v1/portal/auth/logout');
      } catch {
        // signed out locally whatever the server says
      }
    },
    onSettled: () => {
      portalTokenStore.clear();
      qc.clear();
    },
  });
}

/** Only portal pages are followed after sign-in (no open redirect, no loop back to sign-in). */
export function safePortalNext(next: string | null): string {
  if (!next || !next.startsWith('/portal') || next.startsWith('//')) return '/portal';
  if (/^\/portal\/(login|accept)\b/.test(next)) return '/portal';
  if (next !== '/portal' && !next.startsWith('/portal/') && !next.startsWith('/portal?')) return '/portal';
  return next;
}

export function portalLoginPath(current: string, reason?: 'expired'): string {
  const params = new URLSearchParams();
  if (current && current !== '/portal' && current !== '/portal/') params.set('next', current);
  if (reason) params.set('reason', reason);
  const qs = params.toString();
  return qs ? `/portal/login?${qs}` : '/portal/login';
}
