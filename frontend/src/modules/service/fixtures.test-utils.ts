import type { SlaPolicy, Ticket } from '../../api/types';

/** A running ticket of ACME Ltd, assigned to user u1; pass what a test needs different. */
export function ticket(patch: Partial<Ticket> = {}): Ticket {
  return {
    id: 't1', number: 'T-000123', customer_id: 'c1', customer_name: 'ACME Ltd', contact_id: null, subject: 'Printer jams', description: 'Page 3 jams',
    kind: 'incident', channel: 'phone', priority: 'high', status: 'in_progress', assignee_id: 'u1', assignee_name: 'Admin', team_id: null,
    sla_policy_id: 'p1', first_response_due_at: '2026-11-23T03:00:00Z', resolution_due_at: '2026-11-23T10:00:00Z', first_responded_at: null,
    resolved_at: null, closed_at: null, close_reason: null, close_note: null, duplicate_of_id: null, paused_at: null, first_response_breached: false, resolution_breached: false, satisfaction_rating: null,
    satisfaction_comment: null, custom_fields: {}, created_at: '2026-11-23T02:00:00Z', updated_at: '2026-11-23T02:00:00Z', version: 3,
    ...patch,
  };
}

export const policy: SlaPolicy = {
  id: 'p1', name: 'Standard', is_default: true, business_hours: true,
  calendar: { time_zone: 'Asia/Shanghai', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00', holidays: ['2026-10-01'], extra_workdays: ['2026-10-10'] },
  targets: {
    urgent: { first_response_minutes: 30, resolution_minutes: 240 },
    high: { first_response_minutes: 60, resolution_minutes: 540 },
    normal: { first_response_minutes: 240, resolution_minutes: 1620 },
    low: { first_response_minutes: 540, resolution_minutes: 2700 },
  },
  created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 2,
};
