import { App, Col, Form, InputNumber, Row, Select, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { LIFECYCLE_STAGES, TASK_PRIORITIES, type FollowUpRule, type LifecycleStage, type TaskPriority } from '../../api/types';
import { NewButton } from '../../ui/NewButton';
import { RecordFormModal, useRecordDialog } from '../../ui/RecordDialog';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { mergePatch } from '../../ui/mergePatch';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { ErrorResult } from '../../ui/ErrorResult';
import { PriorityTag } from '../activities/labels';
import { StageTag } from '../customers/labels';
import { useDeleteFollowUpRule, useFollowUpRules, useSaveFollowUpRule } from './useFollowUpRules';
import { FullTable } from '../../ui/FullTable';
import { enumOptions } from '../../ui/useOptions';

export interface RuleFormValues {
  lifecycle_stage: LifecycleStage;
  silent_days: number;
  due_in_days: number;
  priority: TaskPriority;
  active: boolean;
}

export const RULE_FIELDS = ['lifecycle_stage', 'silent_days', 'due_in_days', 'priority', 'active'] as const;
const NEW_RULE: RuleFormValues = { lifecycle_stage: 'prospect', silent_days: 14, due_in_days: 1, priority: 'normal', active: true };

const ruleToForm = (rule: FollowUpRule): RuleFormValues => ({
  lifecycle_stage: rule.lifecycle_stage,
  silent_days: rule.silent_days,
  due_in_days: rule.due_in_days,
  priority: rule.priority,
  active: rule.active,
});

/** Only the fields that changed (a merge patch). */
export function rulePatch(rule: FollowUpRule, v: RuleFormValues): Partial<RuleFormValues> {
  return mergePatch(ruleToForm(rule), ruleToForm({ ...rule, ...v }));
}

/** Administrators set, per lifecycle stage, after how many silent days the owner gets a follow-up task. */
export function FollowUpRulesTab() {
  const { t } = useTranslation();
  const rules = useFollowUpRules();
  const save = useSaveFollowUpRule();
  const remove = useDeleteFollowUpRule();
  const { message } = App.useApp();
  const dialog = useRecordDialog({
    fields: RULE_FIELDS,
    errorTestId: 'rule-form-error',
    blank: NEW_RULE,
    latest: async (base: FollowUpRule) => (await rules.refetch()).data?.find((r) => r.id === base.id),
    toForm: ruleToForm,
    changes: rulePatch,
  });
  const writeFailed = useWriteFailed(() => void rules.refetch());

  const submit = () =>
    dialog.save(
      (base, patch) => save.mutateAsync({ kind: 'update', rule: base, patch }),
      async (v) => {
        await save.mutateAsync({ kind: 'create', body: v });
        void message.success(t('common.saved'));
      },
    );

  const toggle = (rule: FollowUpRule, active: boolean) =>
    save.mutate({ kind: 'update', rule, patch: { active } }, { onError: writeFailed });

  if (rules.isError) return <ErrorResult error={rules.error} onRetry={() => void rules.refetch()} />;
  return (
    <div>
      <Typography.Paragraph type="secondary">{t('rules.intro')}</Typography.Paragraph>
      <NewButton onClick={() => dialog.open(null)} data-testid="rule-new">{t('rules.new')}</NewButton>
      <FullTable<FollowUpRule>
        size="middle"
        query={rules}
        data-testid="rules-table"
        columns={[
          { title: t('customer.stage'), key: 'stage', render: (_: unknown, r: FollowUpRule) => <StageTag stage={r.lifecycle_stage} /> },
          { title: t('rules.silentDays'), dataIndex: 'silent_days' },
          { title: t('rules.dueInDays'), dataIndex: 'due_in_days' },
          { title: t('task.priority'), key: 'priority', render: (_: unknown, r: FollowUpRule) => <PriorityTag priority={r.priority} /> },
          {
            title: t('rules.active'),
            key: 'active',
            render: (_: unknown, r: FollowUpRule) => (
              <Switch checked={r.active} loading={save.isPending && save.variables?.kind === 'update' && save.variables.rule.id === r.id} onChange={(on) => toggle(r, on)} data-testid="rule-active" />
            ),
          },
          {
            title: t('rules.summary'),
            key: 'summary',
            render: (_: unknown, r: FollowUpRule) => (
              <Typography.Text type="secondary">
                {t('rules.sentence', { stage: t(`stage.${r.lifecycle_stage}`), silent: r.silent_days, due: r.due_in_days })}
              </Typography.Text>
            ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, r: FollowUpRule) => (
              <Space size={0}>
                <EditLink onClick={() => dialog.open(r)} data-testid="rule-edit" />
                <DeleteLink confirm={t('rules.deleteConfirm')} onConfirm={() => remove.mutate(r, { onError: writeFailed })} data-testid="rule-delete" />
              </Space>
            ),
          },
        ]}
      />
      <RecordFormModal
        dialog={dialog}
        title={dialog.record ? t('rules.edit') : t('rules.new')}
        onOk={() => void submit()}
        confirmLoading={save.isPending}
        okTestId="rule-save"
        initialValues={NEW_RULE}
        formTestId="rule-form"
      >
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="lifecycle_stage" label={t('customer.stage')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select options={enumOptions(t, LIFECYCLE_STAGES, 'stage')} data-testid="rule-stage" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="priority" label={t('task.priority')}>
              <Select options={enumOptions(t, TASK_PRIORITIES, 'priority')} data-testid="rule-priority" />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item
              name="silent_days"
              label={t('rules.silentDays')}
              rules={[{ required: true, message: t('validation.required') }, { type: 'integer', min: 1, max: 3650, message: t('validation.range', { min: 1, max: 3650 }) }]}
            >
              <InputNumber precision={0} style={{ width: '100%' }} data-testid="rule-silent-days" />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item
              name="due_in_days"
              label={t('rules.dueInDays')}
              rules={[{ required: true, message: t('validation.required') }, { type: 'integer', min: 0, max: 365, message: t('validation.range', { min: 0, max: 365 }) }]}
            >
              <InputNumber precision={0} style={{ width: '100%' }} data-testid="rule-due-in-days" />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="active" label={t('rules.active')} valuePropName="checked">
              <Switch data-testid="rule-active-switch" />
            </Form.Item>
          </Col>
        </Row>
      </RecordFormModal>
    </div>
  );
}
