import { useEffect } from 'react';
import { App, Col, DatePicker, Form, Input, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { TASK_PRIORITIES, type CreateTask, type Task, type TaskPriority, type UpdateTask } from '../../api/types';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem } from '../../ui/formErrors';
import { mergePatch, sameInstant, textOrNull, withoutNulls } from '../../ui/mergePatch';
import { useVersionedEdit } from '../../ui/useVersionedEdit';
import { enumOptions, useOwnerOptions } from '../../ui/useOptions';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { fetchTask, useCreateTask, useUpdateTask } from './useTasks';
import { DEFAULT_TIME_ZONE, organisationTomorrowAt, useOrganisationTimeZone } from '../../ui/organisationTime';

export interface TaskFormValues {
  title: string;
  description?: string | null;
  due_at?: Dayjs | null;
  remind_at?: Dayjs | null;
  priority: TaskPriority;
  assignee_id?: string | null;
  customer_id?: string | null;
}

export const TASK_FIELDS = ['title', 'description', 'due_at', 'remind_at', 'priority', 'assignee_id', 'customer_id'] as const;

export function newTaskValues(customerId?: string, timeZone: string = DEFAULT_TIME_ZONE, now: Date = new Date()): TaskFormValues {
  // due by the end of the next working hour block: tomorrow 10:00, the organisation's tomorrow
  const due = dayjs(organisationTomorrowAt(timeZone, 10, now));
  return { title: '', priority: 'normal', due_at: due, customer_id: customerId ?? null };
}

export function taskToForm(t: Task): TaskFormValues {
  return {
    title: t.title,
    description: t.description ?? null,
    due_at: t.due_at ? dayjs(t.due_at) : null,
    remind_at: t.remind_at ? dayjs(t.remind_at) : null,
    priority: t.priority,
    assignee_id: t.assignee_id,
    customer_id: t.customer_id ?? null,
  };
}

/** Form values as the API wants them: blank text is null, times are RFC 3339. */
export function taskToWire(v: TaskFormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {
    title: v.title.trim(),
    description: textOrNull(v.description),
    due_at: v.due_at ? v.due_at.toISOString() : null,
    remind_at: v.remind_at ? v.remind_at.toISOString() : null,
    priority: v.priority,
    customer_id: v.customer_id ?? null,
  };
  if (v.assignee_id !== undefined) out.assignee_id = v.assignee_id;
  return out;
}

export function toCreateTask(v: TaskFormValues): CreateTask {
  const wire = withoutNulls(taskToWire(v));
  if (wire.customer_id) {
    wire.related_type = 'customer';
    wire.related_id = wire.customer_id;
  }
  return wire as CreateTask;
}

/** Only what changed since `base` (a merge patch); a task's customer is fixed once created. */
export function toTaskPatch(base: Task, v: TaskFormValues): UpdateTask {
  const { customer_id: _fixed, ...after } = taskToWire(v);
  return mergePatch(taskToWire(taskToForm(base)), after, { due_at: sameInstant, remind_at: sameInstant }) as UpdateTask;
}

interface Props {
  open: boolean;
  onClose: () => void;
  /** A new task about this customer (the picker is preset and hidden). */
  customerId?: string;
  /** Edits this task instead of creating one. */
  task?: Task | null;
}

export function TaskModal({ open, onClose, customerId, task }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<TaskFormValues>();
  const create = useCreateTask();
  const update = useUpdateTask();
  const owners = useOwnerOptions();
  const timeZone = useOrganisationTimeZone();
  const problem = useFormProblem(form, TASK_FIELDS, { testId: 'task-form-error' });
  const edit = useVersionedEdit({ record: task ?? null, latest: (base) => fetchTask(base.id), form, toForm: taskToForm, changes: toTaskPatch });

  useEffect(() => {
    if (!open) return;
    edit.reset(task ?? null);
    problem.reset(task ? taskToForm(task) : newTaskValues(customerId, timeZone));
    // only a dialog opened again starts over
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, task, customerId, form, timeZone]);

  const submit = () =>
    problem.submit(async (values) => {
      const outcome = await edit.saveOrCreate(
        values,
        (base, patch) => update.mutateAsync({ task: base, patch }),
        // the customer field is hidden (so not among the validated values) when the page sets it
        () => create.mutateAsync(toCreateTask({ ...values, customer_id: customerId ?? values.customer_id ?? null })),
      );
      if (outcome === 'stale') return;
      void message.success(outcome === 'created' ? t('task.created') : t('common.saved'));
      onClose();
    });

  return (
    <FormModal
      form={form}
      open={open}
      title={task ? t('task.edit') : t('task.create')}
      onCancel={onClose}
      onOk={() => void submit()}
      confirmLoading={create.isPending || update.isPending}
      okTestId="task-save"
      width={600}
    >
      {edit.notice}
      {problem.alert}
      <Form form={form} layout="vertical" data-testid="task-form" initialValues={newTaskValues(customerId, timeZone)}>
        <Row gutter={12}>
          <Col xs={24}>
            <Form.Item name="title" label={t('task.title')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 200 }]}>
              <Input autoFocus data-testid="task-title" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="due_at" label={t('task.dueAt')}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} data-testid="task-due-at" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="remind_at"
              label={t('task.remindAt')}
              dependencies={['due_at']}
              rules={[
                ({ getFieldValue }) => ({
                  validator: (_r, v?: Dayjs | null) => {
                    const due = getFieldValue('due_at') as Dayjs | null | undefined;
                    return v && due && v.isAfter(due) ? Promise.reject(new Error(t('task.remindAfterDue'))) : Promise.resolve();
                  },
                }),
              ]}
            >
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} data-testid="task-remind-at" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="priority" label={t('task.priority')}>
              <Select options={enumOptions(t, TASK_PRIORITIES, 'priority')} data-testid="task-priority" />
            </Form.Item>
          </Col>
          {owners.enabled && (
            <Col xs={24} sm={12}>
              <Form.Item name="assignee_id" label={t('task.assignee')} extra={task ? undefined : t('task.assigneeDefault')}>
                <Select
                  allowClear
                  showSearch={{ optionFilterProp: 'label' }}
                  options={owners.options}
                  loading={owners.loading}
                  data-testid="task-assignee"
                />
              </Form.Item>
            </Col>
          )}
          {!customerId && !task && (
            <Col xs={24}>
              <Form.Item name="customer_id" label={t('activity.customer')}>
                <CustomerPicker data-testid="task-customer" />
              </Form.Item>
            </Col>
          )}
          <Col xs={24}>
            <Form.Item name="description" label={t('task.description')}>
              <Input.TextArea rows={3} data-testid="task-description" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </FormModal>
  );
}
