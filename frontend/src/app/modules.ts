import type { Me, Resource } from '../api/types';
import { can } from './permissions';

export type ModuleKey =
  | 'dashboard' | 'customers' | 'activities' | 'sales' | 'service' | 'requirements' | 'privacy' | 'settings';

export interface ModuleDef {
  key: ModuleKey;
  path: string;
  /** The permission resource whose `read` scope shows the module; null = everyone signed in. */
  resource: Resource | null;
}

/**
 * The menu's modules, in menu order. Only modules that exist are listed: marketing and analytics
 * join the menu and the routes when they are built, not before as pages that say "coming soon".
 */
export const MODULES: readonly ModuleDef[] = [
  { key: 'dashboard', path: '/', resource: null },
  { key: 'customers', path: '/customers', resource: 'customers' },
  { key: 'activities', path: '/activities', resource: 'activities' },
  { key: 'sales', path: '/sales', resource: 'sales' },
  { key: 'service', path: '/service', resource: 'service' },
  { key: 'requirements', path: '/requirements', resource: 'requirements' },
  { key: 'privacy', path: '/privacy', resource: 'privacy' },
  { key: 'settings', path: '/settings', resource: 'users' },
];

export function visibleModules(me: Me | undefined): ModuleDef[] {
  return MODULES.filter((m) => m.resource === null || can(me, m.resource, 'read'));
}

/** The module a pathname belongs to, for highlighting the menu. */
export function moduleForPath(pathname: string): ModuleDef | undefined {
  if (pathname === '/' || pathname === '') return MODULES[0];
  return MODULES.find((m) => m.path !== '/' && (pathname === m.path || pathname.startsWith(`${m.path}/`)));
}
