import type { Action, Me, Resource } from '../api/types';

/** The scope the signed-in user has for an action, `none` when the role lacks the resource. */
export function scopeOf(me: Me | undefined, resource: Resource, action: Action = 'read'): string {
  return me?.permissions?.[resource]?.[action] ?? 'none';
}

export function can(me: Me | undefined, resource: Resource, action: Action = 'read'): boolean {
  return scopeOf(me, resource, action) !== 'none';
}
