import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../../api/client';
import { meKey } from './useSession';

/** Enrolment, recovery codes and turning two-factor sign-in off, for the signed-in user. */
export function useTwoFactorSetup() {
  return useMutation({ mutationFn: async () => must(await api.POST('/api/v1/auth/2fa/setup')) });
}

export function useTwoFactorEnable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (code: string) => must(await api.POST('/api/v1/auth/2fa/enable', { body: { code } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: meKey }),
  });
}

export function useTwoFactorDisable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { password: string } | { code: string }) => {
      await must(await api.POST('/api/v1/auth/2fa/disable', { body }));
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: meKey }),
  });
}

export function useRecoveryCodesRegenerate() {
  return useMutation({
    mutationFn: async (code: string) => must(await api.POST('/api/v1/auth/2fa/recovery-codes', { body: { code } })),
  });
}
