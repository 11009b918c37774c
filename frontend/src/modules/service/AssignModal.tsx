import { useEffect } from 'react';
import { App, Form, Radio, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormModal } from '../../ui/FormModal';
import type { AssignTicket, Ticket } from '../../api/types';
import { useFormProblem } from '../../ui/formErrors';
import { useMe } from '../auth/useSession';
import { useOwnerOptions, useTeamOptions } from '../../ui/useOptions';
import { useAssignTicket } from './useTickets';

interface Values {
  mode: 'person' | 'team';
  assignee_id?: string | null;
  team_id?: string | null;
}

/**
 * Assigns a ticket to a person, or to the next support agent of a team in turn (round-robin).
 * Roles that may not list users can pick only themselves (the API offers no agent directory).
 */
export function AssignModal({ open, ticket, onClose }: { open: boolean; ticket: Ticket; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe().data;
  const owners = useOwnerOptions();
  const teams = useTeamOptions();
  const assign = useAssignTicket();
  const [form] = Form.useForm<Values>();
  const problem = useFormProblem(form, ['assignee_id', 'team_id'], { testId: 'assign-error' });
  const mode = Form.useWatch('mode', form) ?? 'person';
  const people = owners.enabled ? owners.options : me ? [{ value: me.id, label: `${me.display_name} (${t('ticket.me')})` }] : [];

  useEffect(() => {
    if (!open) return;
    // without a user list the only person on offer is the caller
    const person = owners.enabled ? (ticket.assignee_id ?? null) : (me?.id ?? null);
    problem.reset({ mode: 'person', assignee_id: person, team_id: ticket.team_id ?? null });
    // only a dialog opened again starts over
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, ticket, form, owners.enabled, me?.id]);

  const submit = () =>
    problem.submit(async (v) => {
      const body: AssignTicket = v.mode === 'person' ? { assignee_id: v.assignee_id ?? null } : { team_id: v.team_id ?? null };
      const next = await assign.mutateAsync({ ticket, body });
      void message.success(t('ticket.assigned', { name: next.assignee_name ?? '' }));
      onClose();
    });

  return (
    <FormModal
      form={form}
      open={open}
      title={t('ticket.assignTitle', { number: ticket.number })}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('ticket.assign')}
      confirmLoading={assign.isPending}
      okTestId="assign-save"
    >
      {problem.alert}
      <Form form={form} layout="vertical" initialValues={{ mode: 'person' }} data-testid="assign-form">
        <Form.Item name="mode">
          <Radio.Group
            optionType="button"
            options={[
              { value: 'person', label: <span data-testid="assign-mode-person">{t('ticket.assignPerson')}</span> },
              { value: 'team', label: <span data-testid="assign-mode-team">{t('ticket.assignRoundRobin')}</span> },
            ]}
          />
        </Form.Item>
        {mode === 'person' ? (
          <Form.Item
            name="assignee_id"
            label={t('ticket.assignee')}
            rules={[{ required: true, message: t('validation.required') }]}
            extra={owners.enabled ? undefined : t('ticket.onlyMe')}
          >
            <Select showSearch={{ optionFilterProp: 'label' }} options={people} loading={owners.loading} data-testid="assign-user" />
          </Form.Item>
        ) : (
          <>
            <Form.Item name="team_id" label={t('ticket.team')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select showSearch={{ optionFilterProp: 'label' }} options={teams.options} loading={teams.loading} data-testid="assign-team" />
            </Form.Item>
            <Typography.Text type="secondary">{t('ticket.roundRobinHint')}</Typography.Text>
          </>
        )}
      </Form>
    </FormModal>
  );
}
