import type { components } from './generated/schema';

type S = components['schemas'];
export type Me = S['Me'];
export type Scope = S['Scope'];
export type Permission = S['Permission'];
export type Customer = S['Customer'];
export type CreateCustomer = S['CreateCustomer'];
export type UpdateCustomer = S['UpdateCustomer'];
export type LifecycleStage = S['LifecycleStage'];
export type Contact = S['Contact'];
export type CreateContact = S['CreateContact'];
export type UpdateContact = S['UpdateContact'];
export type StageChange = S['StageChange'];
export type User = S['User'];
export type Team = S['Team'];
export type Role = S['Role'];
export type TokenResponse = S['TokenResponse'];

export const LIFECYCLE_STAGES = ['potential', 'prospect', 'customer', 'churned'] as const satisfies readonly LifecycleStage[];
export const VALUE_TIERS = ['a', 'b', 'c'] as const;
export const SIZE_BANDS = ['micro', 'small', 'medium', 'large', 'enterprise'] as const;
export const SOURCE_CHANNELS = ['website', 'referral', 'exhibition', 'cold_call', 'partner', 'campaign', 'advertising', 'other'] as const;
export const GENDERS = ['male', 'female', 'other'] as const;
export const RESOURCES = [
  'customers', 'contacts', 'activities', 'sales', 'service', 'requirements', 'marketing', 'analytics', 'users', 'teams', 'roles', 'audit',
] as const;
export const ACTIONS = ['read', 'create', 'update', 'delete', 'export'] as const;
export const SCOPES = ['none', 'own', 'team', 'all'] as const satisfies readonly Scope[];
export type Resource = (typeof RESOURCES)[number];
export type Action = (typeof ACTIONS)[number];
