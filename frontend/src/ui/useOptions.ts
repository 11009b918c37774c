import type { TFunction } from 'i18next';
import { can } from '../app/permissions';
import { useMe } from '../modules/auth/useSession';
import { useTeams } from '../modules/settings/useTeams';
import { useUsers } from '../modules/settings/useUsers';

/** Owner choices: all users for roles that may list them, otherwise none (the owner is the caller). */
export function useOwnerOptions() {
  return useUserOptions();
}

/**
 * User choices for roles that may list users, otherwise none: the active ones, or with
 * `includeInactive` every user (a filter over the past, such as who did what, names them too).
 */
export function useUserOptions({ includeInactive = false }: { includeInactive?: boolean } = {}) {
  const me = useMe().data;
  const enabled = can(me, 'users', 'read');
  const users = useUsers(includeInactive ? {} : { active: 'true' }, enabled);
  return {
    enabled,
    loading: users.isLoading,
    options: (users.data ?? []).map((u) => ({ value: u.id, label: `${u.display_name} (${u.email})` })),
  };
}

/** Team choices: every team for roles that may list teams, otherwise the caller's own teams. */
export function useTeamOptions() {
  const me = useMe().data;
  const enabled = can(me, 'teams', 'read');
  const teams = useTeams(enabled);
  const list = enabled ? (teams.data ?? []) : (me?.teams ?? []);
  return { loading: enabled && teams.isLoading, options: list.map((t) => ({ value: t.id, label: t.name })) };
}

/**
 * An enumeration's values (channels, priorities, kinds…) as select, radio or checkbox options, each
 * named by the i18n key `labelKey.value`: `enumOptions(t, TICKET_KINDS, 'ticketKind')`.
 */
export function enumOptions<T extends string>(t: TFunction, values: readonly T[], labelKey: string): { value: T; label: string }[] {
  return values.map((v) => ({ value: v, label: t(`${labelKey}.${v}`) }));
}
