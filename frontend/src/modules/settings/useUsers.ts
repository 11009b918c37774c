import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateUser, UpdateUser, User } from '../../api/types';


export const userKeys = { all: ['users'] as const, list: (q: Record<string, string>) => ['users', 'list', q] as const };

/** Users for settings and for owner pickers (first 200; the picker searches with `q`). */
export function useUsers(query: Record<string, string> = {}, enabled = true) {
  return useQuery({
    queryKey: userKeys.list(query),
    enabled,
    queryFn: async () => must(await api.GET('/api/v1/users', { params: { query: { ...query, limit: 200 } } })).data,
  });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateUser) =>
      must(await postOnce('/api/v1/users', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ user, patch }: { user: User; patch: UpdateUser }) =>
      must(
        await api.PATCH('/api/v1/users/{id}', {
          params: { path: { id: user.id }, header: { 'If-Match': ifMatch(user.version) } },
          body: patch,
        }),
      ),
    onSuccess: () => void qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** An administrator turns a user's two-factor sign-in off (a lost phone). */
export function useResetTwoFactor() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (user: User) => {
      await must(await api.DELETE('/api/v1/users/{id}/2fa', { params: { path: { id: user.id } } }));
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}
