import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { joinMinutes, splitMinutes } from '../../ui/duration';
import { DurationInput } from '../../ui/DurationInput';
import { adminMe, json, problem, renderWithApp } from '../../test/render';
import { policy } from '../service/fixtures.test-utils';
import { policyErrors, policyToForm, toCreateSlaPolicy, toSlaPolicyPatch } from './slaPolicyForm';
import { SlaPoliciesTab } from './SlaPoliciesTab';

afterEach(() => vi.unstubAllGlobals());

function formItemOf(testId: string): HTMLElement {
  const el = screen.getByTestId(testId).closest('.ant-form-item');
  if (!(el instanceof HTMLElement)) throw new Error(`no form item around ${testId}`);
  return el;
}

describe('hours and minutes ↔ minutes', () => {
  it('splits minutes into what a person types and joins it back', () => {
    expect(splitMinutes(135)).toEqual({ hours: 2, minutes: 15 });
    expect(splitMinutes(30)).toEqual({ hours: 0, minutes: 30 });
    expect(splitMinutes(1620)).toEqual({ hours: 27, minutes: 0 });
    expect(splitMinutes(null)).toEqual({ hours: null, minutes: null });
    expect(joinMinutes(2, 15)).toBe(135);
    expect(joinMinutes(4, null)).toBe(240);
    expect(joinMinutes(null, 45)).toBe(45);
    expect(joinMinutes(1, 75)).toBe(135);
    expect(joinMinutes(1.5, 0)).toBe(90);
    expect(joinMinutes(null, null)).toBeNull();
    for (const m of [1, 59, 60, 61, 525_600]) expect(joinMinutes(splitMinutes(m).hours, splitMinutes(m).minutes)).toBe(m);
  });

  it('the input shows hours and minutes and reports minutes', async () => {
    await i18n.changeLanguage('en');
    const changes: (number | null)[] = [];
    const { rerender } = renderWithApp(<DurationInput value={90} onChange={(m) => changes.push(m)} data-testid="d" />);
    const hours = screen.getByTestId('d-hours');
    const minutes = screen.getByTestId('d-minutes');
    expect(hours).toHaveValue('1');
    expect(minutes).toHaveValue('30');
    fireEvent.change(hours, { target: { value: '3' } });
    expect(changes.at(-1)).toBe(210);
    fireEvent.change(minutes, { target: { value: '5' } });
    expect(changes.at(-1)).toBe(65);
    rerender(<DurationInput value={null} onChange={(m) => changes.push(m)} data-testid="d" />);
    expect(screen.getByTestId('d-hours')).toHaveValue('');
  });
});

describe('the SLA policy form', () => {
  it('sends the calendar and targets the API takes, and patches only what changed', () => {
    const v = policyToForm(policy);
    expect(v.targets.normal).toEqual({ first_response_minutes: 240, resolution_minutes: 1620 });
    expect(v.calendar.start?.format('HH:mm')).toBe('09:00');
    const wire = toCreateSlaPolicy(v);
    expect(wire).toEqual({
      name: 'Standard', is_default: true, business_hours: true, calendar: policy.calendar, targets: policy.targets,
    });
    expect(toSlaPolicyPatch(policy, v)).toEqual({});
    v.targets.urgent.first_response_minutes = 45;
    v.calendar.weekdays = ['sat', 'mon'];
    expect(toSlaPolicyPatch(policy, v)).toEqual({
      calendar: { ...policy.calendar, weekdays: ['mon', 'sat'] },
      targets: { ...policy.targets, urgent: { first_response_minutes: 45, resolution_minutes: 240 } },
    });
  });

  it('sorts the server\'s field errors into fields, sections and the rest', () => {
    const sorted = policyErrors([
      { field: 'name', code: 'length', message: 'too long' },
      { field: 'calendar', code: 'calendar', message: 'a calendar needs working time' },
      { field: 'targets.urgent.first_response_minutes', code: 'range', message: 'at least 1' },
      { field: 'colour', code: 'unknown', message: 'no such field' },
    ]);
    expect(sorted.fields).toEqual([
      { name: ['name'], errors: [{ field: 'name', code: 'length', message: 'too long' }] },
      { name: ['targets', 'urgent', 'first_response_minutes'], errors: [{ field: 'targets.urgent.first_response_minutes', code: 'range', message: 'at least 1' }] },
    ]);
    expect(sorted.sections).toEqual({ calendar: [{ field: 'calendar', code: 'calendar', message: 'a calendar needs working time' }] });
    expect(sorted.other).toEqual([{ field: 'colour', code: 'unknown', message: 'no such field' }]);
  });

  it('creates a policy in minutes typed as hours, and shows the problem+json errors next to the fields', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const posts: unknown[] = [];
    let answer = () =>
      problem(422, [
        { field: 'calendar', code: 'calendar', message: 'a calendar with a time zone, weekdays mon–sun and HH:MM hours' },
        { field: 'targets.urgent.resolution_minutes', code: 'range', message: 'between 1 and 525600' },
      ]);
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/sla-policies' && req.method === 'GET') return json(200, { data: [policy], next_cursor: null });
      if (url.pathname === '/api/v1/sla-policies' && req.method === 'POST') {
        posts.push(await req.json());
        return answer();
      }
      return json(404, {});
    }));
    const user = userEvent.setup();
    renderWithApp(<SlaPoliciesTab />);
    const table = await screen.findByTestId('sla-table');
    await waitFor(() => expect(within(table).getByText('Standard')).toBeInTheDocument(), { timeout: 5000 });
    expect(within(table).getByTestId('sla-default-tag')).toBeInTheDocument();
    expect(within(table).getByText('Mon, Tue, Wed, Thu, Fri 09:00–18:00 (Asia/Shanghai)')).toBeInTheDocument();
    expect(within(table).getByText(/Urgent: 30m \/ 4h/)).toBeInTheDocument();
    expect(within(table).getByText(/Normal: 4h \/ 27h/)).toBeInTheDocument();

    await user.click(screen.getByTestId('sla-new'));
    // typing into this many inputs with user-event is slow in jsdom: change events suffice
    fireEvent.change(screen.getByTestId('sla-name'), { target: { value: 'VIP' } });
    // urgent: first response 1 h 30 min, resolution 12 h
    fireEvent.change(screen.getByTestId('sla-urgent-first-hours'), { target: { value: '1' } });
    fireEvent.change(screen.getByTestId('sla-urgent-first-minutes'), { target: { value: '30' } });
    fireEvent.change(screen.getByTestId('sla-urgent-resolution-hours'), { target: { value: '12' } });
    await user.click(screen.getByTestId('sla-save'));
    await waitFor(() => expect(posts).toHaveLength(1), { timeout: 5000 });
    expect(posts[0]).toMatchObject({
      name: 'VIP', is_default: false, business_hours: true,
      calendar: { time_zone: 'Asia/Shanghai', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00', holidays: [], extra_workdays: [] },
      targets: { urgent: { first_response_minutes: 90, resolution_minutes: 720 }, normal: { first_response_minutes: 240, resolution_minutes: 1620 } },
    });
    // the calendar's error at the calendar, the target's next to its input
    expect(await screen.findByTestId('sla-calendar-error')).toHaveTextContent('a calendar with a time zone');
    await waitFor(() => expect(within(formItemOf('sla-urgent-resolution')).getByText('between 1 and 525600')).toBeInTheDocument());
    expect(screen.queryByTestId('sla-form-error')).toBeNull();

    // a taken name (409) shows at the name
    answer = () => json(409, { type: '/problems/conflict', title: 'Conflict', status: 409, code: 'sla_policy.name_taken', detail: 'an SLA policy with this name exists' });
    await user.click(screen.getByTestId('sla-save'));
    await waitFor(() => expect(within(formItemOf('sla-name')).getByText('An SLA policy with this name already exists.')).toBeInTheDocument());
  }, 60_000);
});
