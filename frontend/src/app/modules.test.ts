import { describe, expect, it } from 'vitest';
import { RESOURCES, type Me, type Permission } from '../api/types';
import { moduleForPath, visibleModules } from './modules';

const none: Permission = { read: 'none', create: 'none', update: 'none', delete: 'none', export: 'none' };
const me = (perms: Record<string, Partial<Permission> | undefined>): Me => ({
  id: 'u', email: 'u@x', display_name: 'U', locale: 'en', active: true, role: { id: 'r', key: 'k', name: 'K' }, teams: [], time_zone: 'Asia/Shanghai', two_factor_enabled: false, two_factor_required: false,
  permissions: Object.fromEntries(RESOURCES.map((r) => [r, { ...none, ...perms[r] }])) as Me['permissions'],
});

describe('navigation by role', () => {
  it('shows a module only when its resource may be read', () => {
    const sales = me({ customers: { read: 'team' }, activities: { read: 'own' }, sales: { read: 'team' }, users: none });
    expect(visibleModules(sales).map((m) => m.key)).toEqual(['dashboard', 'customers', 'activities', 'sales']);
  });

  it('shows the service module to roles that may read tickets', () => {
    const support = me({ customers: { read: 'all' }, activities: { read: 'all' }, service: { read: 'all' } });
    expect(visibleModules(support).map((m) => m.key)).toEqual(['dashboard', 'customers', 'activities', 'service']);
    expect(moduleForPath('/service/tickets/abc')?.key).toBe('service');
  });

  it('shows settings when users may be read', () => {
    const admin = me({ customers: { read: 'all' }, users: { read: 'all' } });
    expect(visibleModules(admin).map((m) => m.key)).toContain('settings');
  });

  it('lists no module that is not built, even to a role that may read it', () => {
    const admin = me(Object.fromEntries(RESOURCES.map((r) => [r, { read: 'all' }])));
    expect(visibleModules(admin).map((m) => m.key)).toEqual(['dashboard', 'customers', 'activities', 'sales', 'service', 'requirements', 'privacy', 'settings']);
    expect(moduleForPath('/marketing')).toBeUndefined();
  });

  it('finds the module of a nested path', () => {
    expect(moduleForPath('/customers/abc/edit')?.key).toBe('customers');
    expect(moduleForPath('/')?.key).toBe('dashboard');
    expect(moduleForPath('/settings/roles')?.key).toBe('settings');
  });
});
