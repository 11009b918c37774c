import { useMemo } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateSlaPolicy, SlaPolicy, UpdateSlaPolicy } from '../../api/types';
import { can } from '../../app/permissions';
import { useMe } from '../auth/useSession';
import { scheduleOf, type Schedule } from './slaClock';

export const slaPolicyKeys = { all: ['sla-policies'] as const };

/** Every SLA policy (an organisation has a handful), by name. */
export function useSlaPolicies(enabled = true) {
  return useQuery({
    queryKey: slaPolicyKeys.all,
    enabled,
    staleTime: 5 * 60_000,
    queryFn: async () => must(await api.GET('/api/v1/sla-policies', { params: { query: { limit: 200 } } })).data,
  });
}

/** Each policy's clock by policy id, for the SLA badges' at-risk share; empty until loaded. */
export function useSlaSchedules(): ReadonlyMap<string, Schedule> {
  const me = useMe().data;
  const policies = useSlaPolicies(can(me, 'service', 'read'));
  return useMemo(() => new Map((policies.data ?? []).map((p) => [p.id, scheduleOf(p)])), [policies.data]);
}

/** Creates a policy, or merge-patches one guarded by the version the admin saw (`If-Match`). */
export function useSaveSlaPolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (
      arg: { kind: 'create'; body: CreateSlaPolicy } | { kind: 'update'; policy: SlaPolicy; patch: UpdateSlaPolicy },
    ): Promise<SlaPolicy> => {
      if (arg.kind === 'create') {
        const { body } = arg;
        return must(await postOnce('/api/v1/sla-policies', { body }));
      }
      return must(
        await api.PATCH('/api/v1/sla-policies/{id}', {
          params: { path: { id: arg.policy.id }, header: { 'If-Match': ifMatch(arg.policy.version) } },
          body: arg.patch,
        }),
      );
    },
    // making one the default un-defaults the others: reload them all
    onSuccess: () => void qc.invalidateQueries({ queryKey: slaPolicyKeys.all }),
  });
}

/** Deletes a policy no ticket follows; the default or a policy in use answers 409. */
export function useDeleteSlaPolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (policy: SlaPolicy) => {
      await api.DELETE('/api/v1/sla-policies/{id}', { params: { path: { id: policy.id }, header: { 'If-Match': ifMatch(policy.version) } } });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: slaPolicyKeys.all }),
  });
}
