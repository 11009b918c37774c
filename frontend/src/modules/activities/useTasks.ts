import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateTask, Task, TaskView, UpdateTask } from '../../api/types';
import { customerKeys } from '../customers/useCustomers';
import { notificationKeys } from '../notifications/useNotifications';

/** What `GET /tasks` is asked for: a view of someone's (default: my) tasks. */
export interface TaskQuery {
  view: TaskView;
  /** A user id or `me`. */
  assignee_id?: string;
  /** Only with view `all`: `open`, `done`, `cancelled` or a comma list. */
  status?: string;
  customer_id?: string;
  q?: string;
}

export const taskKeys = {
  all: ['tasks'] as const,
  list: (q: TaskQuery, limit: number) => ['tasks', 'list', q, limit] as const,
};

export type TaskAction = 'complete' | 'cancel' | 'reopen';

function invalidateAround(qc: QueryClient, task: Pick<Task, 'customer_id'>) {
  void qc.invalidateQueries({ queryKey: taskKeys.all });
  void qc.invalidateQueries({ queryKey: notificationKeys.all });
  if (task.customer_id) void qc.invalidateQueries({ queryKey: customerKeys.timelineAll(task.customer_id) });
}

export function taskQueryParams(q: TaskQuery): Record<string, string> {
  const out: Record<string, string> = { view: q.view };
  if (q.assignee_id) out.assignee_id = q.assignee_id;
  if (q.status && q.view === 'all') out.status = q.status;
  if (q.customer_id) out.customer_id = q.customer_id;
  if (q.q) out.q = q.q;
  return out;
}

/** Cursor-paged tasks of a view (sorted by due date, undated last); `fetchNextPage` loads more. */
export function useTaskList(query: TaskQuery, limit = 50) {
  return useInfiniteQuery({
    queryKey: taskKeys.list(query, limit),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/tasks', {
          params: {
            query: { ...taskQueryParams(query), limit, include_total: pageParam === null, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useCreateTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateTask) =>
      must(await postOnce('/api/v1/tasks', { body })),
    onSuccess: (t) => invalidateAround(qc, t),
  });
}

/** A merge-patch guarded by the version the user saw (`If-Match`); a stale one fails with 412. */
export function useUpdateTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ task, patch }: { task: Task; patch: UpdateTask }) =>
      must(
        await api.PATCH('/api/v1/tasks/{id}', {
          params: { path: { id: task.id }, header: { 'If-Match': ifMatch(task.version) } },
          body: patch,
        }),
      ),
    onSuccess: (t, { task }) => {
      invalidateAround(qc, t);
      // moved to another customer: the old one's timeline changes too
      if (task.customer_id && task.customer_id !== t.customer_id) invalidateAround(qc, task);
    },
  });
}

/** Complete, cancel or reopen; an invalid move (e.g. completing a cancelled task) fails with 409. */
export function useTaskTransition() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ task, action }: { task: Task; action: TaskAction }) => {
      const params = { params: { path: { id: task.id } } };
      switch (action) {
        case 'complete':
          return must(await api.POST('/api/v1/tasks/{id}/complete', params));
        case 'cancel':
          return must(await api.POST('/api/v1/tasks/{id}/cancel', params));
        case 'reopen':
          return must(await api.POST('/api/v1/tasks/{id}/reopen', params));
      }
    },
    onSuccess: (t) => invalidateAround(qc, t),
    // 409: someone else moved the task meanwhile; show its current state
    onError: () => void qc.invalidateQueries({ queryKey: taskKeys.all }),
  });
}

export function useDeleteTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (task: Task) => {
      await api.DELETE('/api/v1/tasks/{id}', { params: { path: { id: task.id }, header: { 'If-Match': ifMatch(task.version) } } });
    },
    onSuccess: (_v, task) => invalidateAround(qc, task),
  });
}

/** The latest stored version of a task (after a 412). */
export async function fetchTask(id: string): Promise<Task> {
  return must(await api.GET('/api/v1/tasks/{id}', { params: { path: { id } } }));
}

/** How many tasks a view holds (one `limit=1&include_total=true` request), for the view badges. */
export function useTaskCount(query: TaskQuery) {
  return useQuery({
    queryKey: [...taskKeys.all, 'count', query] as const,
    queryFn: async () => {
      const page = must(await api.GET('/api/v1/tasks', { params: { query: { ...taskQueryParams(query), limit: 1, include_total: true } } }));
      return page.total ?? page.data.length;
    },
  });
}
