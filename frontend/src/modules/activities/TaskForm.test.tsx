import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import dayjs from 'dayjs';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Task } from '../../api/types';
import { adminMe, json, problem, renderWithApp } from '../../test/render';
import { createQueryClient } from '../../app/queryClient';
import { meKey } from '../auth/useSession';
import MyTasks from './MyTasks';
import { TaskModal, newTaskValues, taskToForm, toCreateTask, toTaskPatch } from './TaskForm';

const task = (over: Partial<Task> = {}): Task => ({
  id: 't1', title: 'Call back ACME', description: null, due_at: '2026-03-02T02:00:00Z', remind_at: null, priority: 'normal', status: 'open',
  assignee_id: 'u1', assignee_name: 'Admin', customer_id: 'c1', customer_name: 'ACME', related_type: 'customer', related_id: 'c1',
  rule_id: null, created_by: 'u1', completed_at: null, completed_by: null, completed_by_name: null, overdue: false,
  created_at: '2026-03-01T02:00:00Z', updated_at: '2026-03-01T02:00:00Z', version: 1, ...over,
});

function formItemOf(testId: string): HTMLElement {
  const el = screen.getByTestId(testId).closest('.ant-form-item');
  if (!(el instanceof HTMLElement)) throw new Error(`no form item around ${testId}`);
  return el;
}

afterEach(() => vi.unstubAllGlobals());

describe('TaskModal', () => {
  it('creates a task for the customer; server field errors show next to their fields', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const posts: Record<string, unknown>[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/tasks' && req.method === 'POST') {
        posts.push((await req.json()) as Record<string, unknown>);
        if (posts.length === 1) return problem(422, [{ field: 'due_at', code: 'past', message: 'must be after the reminder' }, { field: 'assignee', code: 'x', message: 'inactive user' }]);
        return json(201, task({ id: 't2' }));
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const onClose = vi.fn();
    const user = userEvent.setup();
    renderWithApp(<TaskModal open customerId="c1" onClose={onClose} />);
    await user.type(await screen.findByTestId('task-title'), 'Send the quote');
    await user.click(screen.getByTestId('task-save'));

    await waitFor(() => expect(within(formItemOf('task-due-at')).getByText('must be after the reminder')).toBeInTheDocument());
    // an error for a field the form lacks is shown above it
    expect(screen.getByTestId('task-form-error')).toHaveTextContent('assignee: inactive user');
    expect(posts[0]).toMatchObject({ title: 'Send the quote', priority: 'normal', customer_id: 'c1', related_type: 'customer', related_id: 'c1' });
    expect(typeof posts[0]!.due_at).toBe('string');
    expect(posts[0]).not.toHaveProperty('assignee_id');

    await user.click(screen.getByTestId('task-save'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  }, 30_000);
});

describe('MyTasks', () => {
  it('highlights overdue tasks and completes one', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    let tasks = [task({ id: 'late', title: 'Overdue follow-up', overdue: true, rule_id: 'rule1' }), task({ id: 'later', title: 'Next week' })];
    const queries: string[] = [];
    const completed: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/tasks' && req.method === 'GET') {
        queries.push(url.search);
        const view = url.searchParams.get('view');
        const rows = view === 'overdue' ? tasks.filter((x) => x.overdue) : tasks;
        return json(200, { data: rows, next_cursor: null, total: rows.length });
      }
      const m = /^\/api\/v1\/tasks\/(\w+)\/complete$/.exec(url.pathname);
      if (m && req.method === 'POST') {
        completed.push(m[1]!);
        const done = task({ ...tasks.find((x) => x.id === m[1])!, status: 'done', overdue: false, version: 2 });
        tasks = tasks.map((x) => (x.id === done.id ? done : x));
        return json(200, done);
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    renderWithApp(<MyTasks />, { path: '/activities/tasks' });

    const lateRow = (await screen.findByText('Overdue follow-up')).closest('tr')!;
    expect(lateRow).toHaveClass('task-overdue');
    expect(within(lateRow).getByText('Follow-up rule')).toBeInTheDocument();
    expect(screen.getByText('Next week').closest('tr')).not.toHaveClass('task-overdue');
    expect(queries.some((q) => q.includes('assignee_id=me'))).toBe(true);
    // the overdue view's badge counts it
    await waitFor(() => expect(within(screen.getByTestId('task-view-overdue')).getByText('1')).toBeInTheDocument());

    await user.click(within(lateRow).getByTestId('task-complete'));
    await waitFor(() => expect(completed).toEqual(['late']));
    await waitFor(() => expect(within(screen.getByText('Overdue follow-up').closest('tr')!).getByTestId('task-status')).toHaveTextContent('Done'));
    expect(screen.getByText('Overdue follow-up').closest('tr')).not.toHaveClass('task-overdue');
  }, 30_000);
});

describe('task form values', () => {
  it('links a new task to its customer and leaves blanks out', () => {
    const due = dayjs('2026-03-02T02:00:00Z');
    expect(toCreateTask({ title: ' T ', priority: 'high', due_at: due, description: ' ', customer_id: 'c1' })).toEqual({
      title: 'T', priority: 'high', due_at: '2026-03-02T02:00:00.000Z', customer_id: 'c1', related_type: 'customer', related_id: 'c1',
    });
  });

  it('patches only what changed', () => {
    const base = task();
    expect(toTaskPatch(base, taskToForm(base))).toEqual({});
    expect(toTaskPatch(base, { ...taskToForm(base), priority: 'urgent', due_at: null })).toEqual({ priority: 'urgent', due_at: null });
    // the customer of a task does not change after it is created
    expect(toTaskPatch(base, { ...taskToForm(base), customer_id: null })).toEqual({});
  });

  // 01:14 on 3 December in Shanghai is 17:14 UTC on 2 December, still the 2nd in a UTC browser
  const AT_01_14_SHANGHAI = new Date('2026-12-02T17:14:00Z');

  it('is due at 10:00 on the organisation’s tomorrow, not the browser’s', () => {
    expect(newTaskValues('c1', 'Asia/Shanghai', AT_01_14_SHANGHAI).due_at?.toISOString()).toBe('2026-12-04T02:00:00.000Z');
    expect(newTaskValues('c1', 'America/New_York', AT_01_14_SHANGHAI).due_at?.toISOString()).toBe('2026-12-03T15:00:00.000Z');
  });
});

describe('a new task in the organisation’s zone', () => {
  afterEach(() => vi.useRealTimers());

  it('is sent due at 10:00 on the day after today in the zone /auth/me gives', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-02T17:14:00Z'));
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const newYork = { ...adminMe, time_zone: 'America/New_York' };
    const posts: Record<string, unknown>[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, newYork);
      if (url.pathname === '/api/v1/tasks' && req.method === 'POST') {
        posts.push((await req.json()) as Record<string, unknown>);
        return json(201, task({ id: 't3' }));
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const client = createQueryClient();
    client.setQueryData(meKey, newYork);
    const onClose = vi.fn();
    const user = userEvent.setup();
    renderWithApp(<TaskModal open customerId="c1" onClose={onClose} />, { client });
    await user.type(await screen.findByTestId('task-title'), 'Call back');
    await user.click(screen.getByTestId('task-save'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    // 3 December 10:00 in New York (UTC−5); the browser's (UTC) tomorrow would be 3 December 10:00 UTC
    expect(posts[0]!.due_at).toBe('2026-12-03T15:00:00.000Z');
  }, 30_000);
});
