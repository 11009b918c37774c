import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateFollowUpRule, FollowUpRule, UpdateFollowUpRule } from '../../api/types';

export const ruleKeys = { all: ['follow-up-rules'] as const };

export function useFollowUpRules(enabled = true) {
  return useQuery({
    queryKey: ruleKeys.all,
    enabled,
    queryFn: async () => must(await api.GET('/api/v1/follow-up-rules', { params: { query: { limit: 200 } } })).data,
  });
}

/** Creates a rule, or merge-patches one guarded by the version the admin saw (`If-Match`). */
export function useSaveFollowUpRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (
      arg: { kind: 'create'; body: CreateFollowUpRule } | { kind: 'update'; rule: FollowUpRule; patch: UpdateFollowUpRule },
    ): Promise<FollowUpRule> => {
      if (arg.kind === 'create') {
        const { body } = arg;
        return must(await postOnce('/api/v1/follow-up-rules', { body }));
      }
      return must(
        await api.PATCH('/api/v1/follow-up-rules/{id}', {
          params: { path: { id: arg.rule.id }, header: { 'If-Match': ifMatch(arg.rule.version) } },
          body: arg.patch,
        }),
      );
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: ruleKeys.all }),
  });
}

export function useDeleteFollowUpRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (rule: FollowUpRule) => {
      await api.DELETE('/api/v1/follow-up-rules/{id}', { params: { path: { id: rule.id }, header: { 'If-Match': ifMatch(rule.version) } } });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: ruleKeys.all }),
  });
}
