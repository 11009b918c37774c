import type { Me, Resource } from '../api/types';
import { can } from './permissions';

export type ModuleKey =
  | 'dashboard' | 'customers' | 'activities' | 'sales' | 'service' | 'requirements' | 'marketing' | 'analytics' | 'settings';

export interface ModuleDef {
  key: ModuleKey;
  path: string;
  /** The permission resource whose `read` scope shows the module; null = everyone signed in. */
  resource: Resource | null;
  /** False for modules later issues build: they show a "coming soon" page. */
  built: boolean;
}

export const MODULES: readonly ModuleDef[] = [
  { key: 'dashboard', path: '/', resource: null, built: true },
  { key: 'customers', path: '/customers', resource: 'customers', built: true },
  { key: 'activities', path: '/activities', resource: 'activities', built: true },
  { key: 'sales', path: '/sales', resource: 'sales', built: true },
  { key: 'service', path: '/service', resource: 'service', built: true },
  { key: 'requirements', path: '/requirements', resource: 'requirements', built: true },
  { key: 'marketing', path: '/marketing', resource: 'marketing', built: false },
  { key: 'analytics', path: '/analytics', resource: 'analytics', built: false },
  { key: 'settings', path: '/settings', resource: 'users', built: true },
];

export function visibleModules(me: Me | undefined): ModuleDef[] {
  return MODULES.filter((m) => m.resource === null || can(me, m.resource, 'read'));
}

/** The module a pathname belongs to, for highlighting the menu. */
export function moduleForPath(pathname: string): ModuleDef | undefined {
  if (pathname === '/' || pathname === '') return MODULES[0];
  return MODULES.find((m) => m.path !== '/' && (pathname === m.path || pathname.startsWith(`${m.path}/`)));
}
