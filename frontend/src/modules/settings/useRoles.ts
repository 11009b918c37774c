import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { Permission, Permissions, Role } from '../../api/types';

export const roleKeys = { all: ['roles'] as const };

export function useRoles(enabled = true) {
  return useQuery({
    queryKey: roleKeys.all,
    enabled,
    staleTime: 5 * 60_000,
    queryFn: async () => must(await api.GET('/api/v1/roles', { params: { query: { limit: 200 } } })).data,
  });
}

export interface RoleBody {
  key: string;
  name: string;
  description: string;
  permissions: Record<string, Permission>;
}

export function useSaveRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ role, body }: { role?: Role; body: RoleBody }) => {
      if (!role) {
        const create = { ...body, permissions: body.permissions as Permissions };
        return must(await postOnce('/api/v1/roles', { body: create }));
      }
      const { key: _key, ...patch } = body;
      return must(
        await api.PATCH('/api/v1/roles/{id}', {
          params: { path: { id: role.id }, header: { 'If-Match': ifMatch(role.version) } },
          body: { ...patch, permissions: patch.permissions as Permissions },
        }),
      );
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: roleKeys.all }),
  });
}

export function useDeleteRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (role: Role) => {
      await api.DELETE('/api/v1/roles/{id}', { params: { path: { id: role.id }, header: { 'If-Match': ifMatch(role.version) } } });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: roleKeys.all }),
  });
}

/** Whether a role's holders must sign in with a second factor (built-in roles too). */
export function useSetRoleTwoFactor() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ role, required }: { role: Role; required: boolean }) =>
      must(
        await api.PATCH('/api/v1/roles/{id}', {
          params: { path: { id: role.id }, header: { 'If-Match': ifMatch(role.version) } },
          body: { requires_two_factor: required },
        }),
      ),
    onSuccess: () => void qc.invalidateQueries({ queryKey: roleKeys.all }),
  });
}
