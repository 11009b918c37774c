import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { Team } from '../../api/types';

export const teamKeys = { all: ['teams'] as const };

export function useTeams(enabled = true) {
  return useQuery({
    queryKey: teamKeys.all,
    enabled,
    staleTime: 5 * 60_000,
    queryFn: async () => must(await api.GET('/api/v1/teams', { params: { query: { limit: 200 } } })).data,
  });
}

export function useSaveTeam() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ team, body }: { team?: Team; body: { name: string; parent_id: string | null } }) => {
      if (!team) {
        return must(await postOnce('/api/v1/teams', { body }));
      }
      return must(
        await api.PATCH('/api/v1/teams/{id}', {
          params: { path: { id: team.id }, header: { 'If-Match': ifMatch(team.version) } },
          body,
        }),
      );
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: teamKeys.all }),
  });
}

export function useDeleteTeam() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (team: Team) => {
      await api.DELETE('/api/v1/teams/{id}', { params: { path: { id: team.id }, header: { 'If-Match': ifMatch(team.version) } } });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: teamKeys.all }),
  });
}
