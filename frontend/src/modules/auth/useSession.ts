import { useEffect, useSyncExternalStore } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must, refreshSession } from '../../api/client';
import { tokenStore, tokensFromLogin } from '../../api/tokens';
import type { LoginResponse, Me, TokenResponse, TwoFactorChallenge } from '../../api/types';

/** Whether sign-in asks for a second factor rather than answering tokens. */
export function isChallenge(response: LoginResponse): response is TwoFactorChallenge {
  return 'challenge' in response;
}

export const meKey = ['auth', 'me'] as const;

function subscribe(cb: () => void) {
  return tokenStore.subscribe(cb);
}
function snapshot() {
  return tokenStore.get() !== null;
}

/** True while tokens are stored; re-renders on sign-in, sign-out and expiry. */
export function useSignedIn(): boolean {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export function useMe() {
  const signedIn = useSignedIn();
  return useQuery<Me>({
    queryKey: meKey,
    enabled: signedIn,
    staleTime: 5 * 60_000,
    queryFn: async () => must(await api.GET('/api/v1/auth/me')),
  });
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { email: string; password: string }) => must(await api.POST('/api/v1/auth/login', { body })),
    onSuccess: (data) => {
      if (isChallenge(data)) return;
      startSession(qc, data);
    },
  });
}

function startSession(qc: ReturnType<typeof useQueryClient>, data: TokenResponse) {
  qc.clear();
  qc.setQueryData(meKey, data.user);
  tokenStore.set(tokensFromLogin(data));
}

/**
 * The second step of signing in: a code (or a recovery code) answers the challenge. The tokens are
 * stored by the caller (`start`), so that recovery codes issued by an enrolment are shown first.
 */
export function useLoginTwoFactor() {
  const qc = useQueryClient();
  const mutation = useMutation({
    mutationFn: async (body: { challenge: string; code?: string; recovery_code?: string }) =>
      must(await api.POST('/api/v1/auth/login/2fa', { body })),
  });
  return { ...mutation, start: (data: TokenResponse) => startSession(qc, data) };
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const tokens = tokenStore.get();
      if (!tokens) return;
      try {
        await api.POST('/api/v1/auth/logout', { body: { refresh_token: tokens.refreshToken } });
      } catch {
        // the local sign-out below happens whatever the server says
      }
    },
    onSettled: () => {
      tokenStore.clear();
      qc.clear();
    },
  });
}

/** Refreshes the access token a minute before it expires, so requests rarely meet a 401. */
export function useSilentRefresh(): void {
  const signedIn = useSignedIn();
  useEffect(() => {
    if (!signedIn) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      const t = tokenStore.get();
      if (!t) return;
      const delay = Math.max(5_000, t.expiresAt - Date.now() - 60_000);
      timer = setTimeout(() => {
        // success stores new tokens, which reschedules through the subscription below
        void refreshSession((req) => globalThis.fetch(req)).then((t) => {
          if (!t) schedule();
        });
      }, delay);
    };
    schedule();
    const unsubscribe = tokenStore.subscribe(() => {
      if (timer) clearTimeout(timer);
      schedule();
    });
    return () => {
      if (timer) clearTimeout(timer);
      unsubscribe();
    };
  }, [signedIn]);
}
