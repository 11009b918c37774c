import type { Action, Me, Resource } from '../api/types';

/** The scope the signed-in user has for an action, `none` when the role lacks the resource. */
export function scopeOf(me: Me | undefined, resource: Resource, action: Action = 'read'): string {
  return me?.permissions?.[resource]?.[action] ?? 'none';
}

export function can(me: Me | undefined, resource: Resource, action: Action = 'read'): boolean {
  return scopeOf(me, resource, action) !== 'none';
}

/**
 * Whether the role is an administrator's as the server judges it (`is_administrator`): creating,
 * changing and deleting every user, role and team. Some things only administrators may do, such as
 * seeing and ending other people's sessions.
 */
export function isAdministrator(me: Me | undefined): boolean {
  return (['users', 'roles', 'teams'] as const).every((resource) =>
    (['create', 'update', 'delete'] as const).every((action) => scopeOf(me, resource, action) === 'all'),
  );
}
