import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must, postOnce } from '../../../api/client';
import type { components } from '../../../api/generated/schema';
import { customerKeys } from '../useCustomers';
import type { CustomFieldDef, FieldChoices } from './fields';

/** What a merge did, or would do (`dry_run`). */
export type CustomerMergeResult = components['schemas']['MergeResultDto'];

export interface MergeRequest {
  survivorId: string;
  otherId: string;
  choices: FieldChoices;
}

const body = ({ otherId, choices }: MergeRequest, dryRun: boolean) => ({
  other_id: otherId,
  ...(Object.keys(choices).length > 0 ? { field_choices: choices } : {}),
  dry_run: dryRun,
});

/** The customers' custom field definitions, for their labels (retired ones too: records keep their values). */
export function useCustomerFieldDefs(enabled = true) {
  return useQuery({
    queryKey: ['customers', 'merge', 'custom-fields'] as const,
    enabled,
    staleTime: 60_000,
    retry: false,
    queryFn: async (): Promise<CustomFieldDef[]> =>
      must(await api.GET('/api/v1/custom-fields', { params: { query: { entity: 'customers', include_retired: true, limit: 200 } } })).data,
  });
}

/** What the merge would do: the server computes it and writes nothing. */
export function useMergePreview() {
  return useMutation({
    mutationFn: async (req: MergeRequest): Promise<CustomerMergeResult> =>
      must(await api.POST('/api/v1/customers/{id}/merge', { params: { path: { id: req.survivorId } }, body: body(req, true) })),
  });
}

/** Every cache that holds records a merge moves from one customer to the other. */
const MOVED_ROOTS = ['interactions', 'tasks', 'opportunities', 'orders', 'tickets', 'portal-accounts', 'requirements', 'privacy'] as const;

/**
 * Merges the other customer into the survivor, once per submission (`Idempotency-Key`). The
 * survivor's cache takes the answer; every customer list and the records that moved are read again.
 */
export function useMergeCustomer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (req: MergeRequest): Promise<CustomerMergeResult> =>
      must(await postOnce('/api/v1/customers/{id}/merge', { params: { path: { id: req.survivorId } }, body: body(req, false) })),
    onSuccess: (res) => {
      qc.setQueryData(customerKeys.one(res.survivor.id), res.survivor);
      qc.removeQueries({ queryKey: customerKeys.one(res.merged_id) });
      void qc.invalidateQueries({ queryKey: customerKeys.all, predicate: (q) => !(q.queryKey[1] === 'one' && q.queryKey[2] === res.survivor.id) });
      for (const root of MOVED_ROOTS) void qc.invalidateQueries({ queryKey: [root] });
    },
  });
}
