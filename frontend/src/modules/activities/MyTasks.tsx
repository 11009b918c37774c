import { useState } from 'react';
import { App, Badge, Button, Popconfirm, Segmented, Select, Space, Tooltip, Typography } from 'antd';
import { CheckOutlined, PlusOutlined, RollbackOutlined, StopOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { can } from '../../app/permissions';
import { hasCode, problemText } from '../../ui/problemText';
import { TASK_STATUSES, TASK_VIEWS, type Task, type TaskView } from '../../api/types';
import { formatDateTime, formatNumber } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { useOwnerOptions } from '../../ui/useOptions';
import { CursorTable, cursorTotal } from '../../ui/CursorTable';
import { EnumMultiFilter, FilterBar } from '../../ui/FilterBar';
import { useUrlFilters } from '../../ui/useUrlFilters';
import { parseTaskFilters, taskFiltersToSearch, taskQueryOf } from './filters';
import { PriorityTag, TaskStatusTag } from './labels';
import { TaskModal } from './TaskForm';
import { taskQueryParams, useDeleteTask, useTaskCount, useTaskList, useTaskTransition, type TaskAction } from './useTasks';
import { ExportButton } from '../../ui/ExportButton';

/** "My tasks": overdue, today, upcoming or all, of me (or, for roles that may list users, someone else). */
/** The record fields the table's columns show, in their order, for the export. */
const TASK_EXPORT_COLUMNS = ['title', 'description', 'due_at', 'priority', 'status', 'customer_name', 'assignee_name', 'related_type'];

export default function MyTasks() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const me = useMe().data;
  const { message } = App.useApp();
  const writeFailed = useWriteFailed();
  // a notification opens the list with ?task=<id> to highlight that task; any change of the filters drops it
  const [params] = useSearchParams();
  const focus = params.get('task');
  const { filters, update, field } = useUrlFilters(parseTaskFilters, taskFiltersToSearch);
  const { view, assignee_id: assignee } = filters;
  const list = useTaskList(taskQueryOf(filters));
  const overdueCount = useTaskCount({ view: 'overdue', assignee_id: assignee });
  const todayCount = useTaskCount({ view: 'today', assignee_id: assignee });
  const transition = useTaskTransition();
  const remove = useDeleteTask();
  const owners = useOwnerOptions();
  // the task stays while the dialog closes, so its title does not flip during the animation
  const [dialog, setDialog] = useState<{ open: boolean; task: Task | null }>({ open: false, task: null });

  const total = cursorTotal(list);
  const canUpdate = can(me, 'activities', 'update');
  const canDelete = can(me, 'activities', 'delete');

  const act = (task: Task, action: TaskAction) =>
    transition.mutate(
      { task, action },
      {
        onSuccess: () => void message.success(doneMessage(action)),
        onError: (e) => void message.error(hasCode(e, 'task.invalid_transition') ? t('task.invalidTransition') : problemText(e, i18n)),
      },
    );

  const doneMessage = (action: TaskAction) =>
    action === 'complete' ? t('task.completed') : action === 'cancel' ? t('task.cancelled') : t('task.reopened');

  const viewLabel = (v: TaskView) => {
    const count = v === 'overdue' ? overdueCount.data : v === 'today' ? todayCount.data : undefined;
    return (
      <span data-testid={`task-view-${v}`}>
        {t(`task.views.${v}`)}
        {count ? <Badge count={count} size="small" color={v === 'overdue' ? 'red' : 'blue'} style={{ marginInlineStart: 6 }} /> : null}
      </span>
    );
  };

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;

  return (
    <div>
      <div className="page-head">
        <Segmented<TaskView>
          value={view}
          onChange={(v) => update({ view: v, status: [] })}
          options={TASK_VIEWS.map((v) => ({ value: v, label: viewLabel(v) }))}
          data-testid="task-views"
        />
        <Space wrap>
          <ExportButton path="/api/v1/tasks/export" query={taskQueryParams(taskQueryOf(filters))} columns={TASK_EXPORT_COLUMNS} data-testid="task-export" />
          {can(me, 'activities', 'create') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ open: true, task: null })} data-testid="task-new">
              {t('task.create')}
            </Button>
          )}
        </Space>
      </div>
      <FilterBar search={{ value: filters.q, onChange: (q) => update({ q }), placeholder: t('task.searchPlaceholder'), width: 240, 'data-testid': 'task-search' }}>
        {owners.enabled && (
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            value={assignee}
            onChange={(v: string) => update({ assignee_id: v })}
            options={[{ value: 'me', label: t('task.assignedToMe') }, ...owners.options.filter((o) => o.value !== me?.id)]}
            style={{ width: 220 }}
            data-testid="task-assignee-filter"
          />
        )}
        {view === 'all' && (
          <EnumMultiFilter values={TASK_STATUSES} labelKey="taskStatus" placeholder={t('task.status')} {...field('status')} width={200} data-testid="task-status-filter" />
        )}
        {total !== undefined && total !== null && (
          <Typography.Text type="secondary" data-testid="task-total" style={{ alignSelf: 'center' }}>
            {t('common.total', { formatted: formatNumber(total, lang) })}
          </Typography.Text>
        )}
      </FilterBar>
      <CursorTable<Task>
        query={list}
        data-testid="task-table"
        onRow={(task) =>
          ({ 'data-status': task.status, 'data-source': task.rule_id ? 'rule' : 'manual', 'data-overdue': task.overdue ? 'true' : undefined }) as React.HTMLAttributes<HTMLElement>
        }
        rowClassName={(task) => [task.overdue ? 'task-overdue' : '', task.id === focus ? 'task-focus' : ''].join(' ').trim()}
        columns={[
          {
            title: t('task.title'),
            key: 'title',
            render: (_: unknown, task: Task) => (
              <Space orientation="vertical" size={0}>
                <Typography.Text delete={task.status === 'cancelled'} strong={task.status === 'open'} data-testid="task-title-cell">
                  {task.title}
                </Typography.Text>
                {task.description && <Typography.Text type="secondary" ellipsis style={{ maxWidth: 360 }}>{task.description}</Typography.Text>}
              </Space>
            ),
          },
          {
            title: t('task.dueAt'),
            key: 'due_at',
            render: (_: unknown, task: Task) =>
              task.due_at ? (
                <Typography.Text type={task.overdue ? 'danger' : undefined} data-testid={task.overdue ? 'task-overdue' : undefined}>
                  {formatDateTime(task.due_at, lang)}
                  {task.overdue ? ` · ${t('task.overdue')}` : ''}
                </Typography.Text>
              ) : (
                <Typography.Text type="secondary">{t('task.noDueDate')}</Typography.Text>
              ),
          },
          { title: t('task.priority'), key: 'priority', render: (_: unknown, task: Task) => <PriorityTag priority={task.priority} /> },
          { title: t('task.status'), key: 'status', render: (_: unknown, task: Task) => <TaskStatusTag status={task.status} /> },
          {
            title: t('activity.customer'),
            key: 'customer',
            render: (_: unknown, task: Task) => (task.customer_id ? <Link to={`/customers/${task.customer_id}`}>{task.customer_name ?? '—'}</Link> : '—'),
          },
          { title: t('task.assignee'), key: 'assignee', render: (_: unknown, task: Task) => task.assignee_name ?? '—' },
          {
            title: t('task.source'),
            key: 'source',
            render: (_: unknown, task: Task) => (task.rule_id ? t('task.fromRule') : t('task.manual')),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, task: Task) => (
              <Space size={0} wrap>
                {canUpdate && task.status === 'open' && (
                  <Button size="small" type="link" icon={<CheckOutlined />} loading={transition.isPending && transition.variables?.task.id === task.id} onClick={() => act(task, 'complete')} data-testid="task-complete">
                    {t('task.complete')}
                  </Button>
                )}
                {canUpdate && task.status === 'open' && (
                  <Popconfirm title={t('task.cancelConfirm')} okText={t('common.confirm')} cancelText={t('common.cancel')} onConfirm={() => act(task, 'cancel')}>
                    <Button size="small" type="link" icon={<StopOutlined />} data-testid="task-cancel">
                      {t('task.cancel')}
                    </Button>
                  </Popconfirm>
                )}
                {canUpdate && task.status !== 'open' && (
                  <Tooltip title={task.completed_at ? `${task.completed_by_name ?? ''} ${formatDateTime(task.completed_at, lang)}` : undefined}>
                    <Button size="small" type="link" icon={<RollbackOutlined />} onClick={() => act(task, 'reopen')} data-testid="task-reopen">
                      {t('task.reopen')}
                    </Button>
                  </Tooltip>
                )}
                {canUpdate && <EditLink onClick={() => setDialog({ open: true, task })} data-testid="task-edit" />}
                {canDelete && (
                  <DeleteLink
                    confirm={t('task.deleteConfirm')}
                    onConfirm={() =>
                      remove.mutate(task, {
                        onSuccess: () => void message.success(t('task.deleted')),
                        onError: writeFailed,
                      })
                    }
                    data-testid="task-delete"
                  />
                )}
              </Space>
            ),
          },
        ]}
      />
      <TaskModal open={dialog.open} task={dialog.task} onClose={() => setDialog((d) => ({ ...d, open: false }))} />
    </div>
  );
}
