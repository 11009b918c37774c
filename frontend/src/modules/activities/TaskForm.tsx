import { useEffect, useState } from 'react';
import { Alert, App, Button, Col, DatePicker, Form, Input, Modal, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { isProblemError } from '../../api/problem';
import { TASK_PRIORITIES, type CreateTask, type Task, type TaskPriority, type UpdateTask } from '../../api/types';
import { applyProblemToForm } from '../../ui/formErrors';
import { useOwnerOptions } from '../../ui/useOptions';
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
  const description = v.description?.trim();
  const out: Record<string, unknown> = {
    title: v.title.trim(),
    description: description ? description : null,
    due_at: v.due_at ? v.due_at.toISOString() : null,
    remind_at: v.remind_at ? v.remind_at.toISOString() : null,
    priority: v.priority,
    customer_id: v.customer_id ?? null,
  };
  if (v.assignee_id !== undefined) out.assignee_id = v.assignee_id;
  return out;
}

export function toCreateTask(v: TaskFormValues): CreateTask {
  const wire = taskToWire(v);
  for (const k of Object.keys(wire)) if (wire[k] === null) delete wire[k];
  if (wire.customer_id) {
    wire.related_type = 'customer';
    wire.related_id = wire.customer_id;
  }
  return wire as CreateTask;
}

const sameInstant = (a: unknown, b: unknown) =>
  a === null || b === null ? a === b : dayjs(a as string).isSame(dayjs(b as string), 'second');

/** Only what changed since `base` (a merge patch); a task's customer is fixed once created. */
export function toTaskPatch(base: Task, v: TaskFormValues): UpdateTask {
  const before = taskToWire(taskToForm(base));
  const after = taskToWire(v);
  const patch: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(after)) {
    if (k === 'customer_id') continue;
    const same = k === 'due_at' || k === 'remind_at' ? sameInstant(before[k], value) : JSON.stringify(before[k] ?? null) === JSON.stringify(value ?? null);
    if (!same) patch[k] = value;
  }
  return patch as UpdateTask;
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
  const [formError, setFormError] = useState<string | null>(null);
  const [base, setBase] = useState<Task | null>(null);
  const [stale, setStale] = useState(false);
  const [reloading, setReloading] = useState(false);

  useEffect(() => {
    if (!open) return;
    setFormError(null);
    setStale(false);
    setBase(task ?? null);
    form.resetFields();
    form.setFieldsValue(task ? taskToForm(task) : newTaskValues(customerId, timeZone));
  }, [open, task, customerId, form, timeZone]);

  const reloadAndReapply = async () => {
    if (!base) return;
    setReloading(true);
    try {
      const current = form.getFieldsValue(true) as TaskFormValues;
      const mine = toTaskPatch(base, current);
      const latest = await fetchTask(base.id);
      const values = taskToForm(latest);
      for (const k of Object.keys(mine)) {
        if (k in values) (values as unknown as Record<string, unknown>)[k] = current[k as keyof TaskFormValues];
      }
      setBase(latest);
      form.setFieldsValue(values);
      setStale(false);
      setFormError(null);
      void message.info(t('stale.reapplied'));
    } catch (e) {
      setFormError(e instanceof Error ? e.message : String(e));
    } finally {
      setReloading(false);
    }
  };

  const submit = async () => {
    let values: TaskFormValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setFormError(null);
    try {
      if (base) {
        const patch = toTaskPatch(base, values);
        if (Object.keys(patch).length > 0) await update.mutateAsync({ task: base, patch });
      } else {
        // the customer field is hidden (so not among the validated values) when the page sets it
        await create.mutateAsync(toCreateTask({ ...values, customer_id: customerId ?? values.customer_id ?? null }));
      }
      void message.success(base ? t('common.saved') : t('task.created'));
      onClose();
    } catch (e) {
      if (isProblemError(e) && e.status === 412) {
        setStale(true);
        return;
      }
      setFormError(applyProblemToForm(form, e, TASK_FIELDS));
    }
  };

  return (
    <Modal
      open={open}
      title={task ? t('task.edit') : t('task.create')}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending || update.isPending}
      okButtonProps={{ 'data-testid': 'task-save' } as { danger?: boolean }}
      width={600}
      forceRender
    >
      {stale && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="task-stale"
          title={t('stale.title')}
          description={t('stale.description')}
          action={
            <Button size="small" loading={reloading} onClick={() => void reloadAndReapply()} data-testid="task-stale-reload">
              {t('stale.reload')}
            </Button>
          }
        />
      )}
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} data-testid="task-form-error" />}
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
              <Select options={TASK_PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))} data-testid="task-priority" />
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
    </Modal>
  );
}
