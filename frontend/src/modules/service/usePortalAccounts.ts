import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreatePortalAccount, PortalAccount, UpdatePortalAccount } from '../../api/types';

export const portalAccountKeys = {
  all: ['portal-accounts'] as const,
  customer: (customerId: string) => ['portal-accounts', 'customer', customerId] as const,
};

/** A customer's portal accounts (a handful per customer: the first 200). */
export function usePortalAccounts(customerId: string, enabled = true) {
  return useQuery({
    queryKey: portalAccountKeys.customer(customerId),
    enabled,
    queryFn: async () =>
      must(await api.GET('/api/v1/portal-accounts', { params: { query: { customer_id: customerId, limit: 200 } } })).data,
  });
}

/** Gives a contact an account and an invitation; the answer holds the link's token (shown only once). */
export function useInviteToPortal() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreatePortalAccount) =>
      must(await postOnce('/api/v1/portal-accounts', { body })),
    onSuccess: (inv) => void qc.invalidateQueries({ queryKey: portalAccountKeys.customer(inv.account.customer_id) }),
  });
}

/** A new invitation link for an account (the previous link stops working). */
export function useReinvite() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (account: PortalAccount) =>
      must(await api.POST('/api/v1/portal-accounts/{id}/invitation', { params: { path: { id: account.id } } })),
    onSuccess: (inv) => void qc.invalidateQueries({ queryKey: portalAccountKeys.customer(inv.account.customer_id) }),
  });
}

/** Deactivates or reactivates an account, or changes whether it sees the company's tickets (`If-Match`). */
export function useUpdatePortalAccount() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ account, patch }: { account: PortalAccount; patch: UpdatePortalAccount }) =>
      must(
        await api.PATCH('/api/v1/portal-accounts/{id}', {
          params: { path: { id: account.id }, header: { 'If-Match': ifMatch(account.version) } },
          body: patch,
        }),
      ),
    onSettled: (_a, _e, { account }) => void qc.invalidateQueries({ queryKey: portalAccountKeys.customer(account.customer_id) }),
  });
}
