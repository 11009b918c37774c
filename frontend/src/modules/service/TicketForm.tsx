import { App, Col, Form, Input, Row, Select, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import {
  TICKET_CHANNELS, TICKET_KINDS, TICKET_PRIORITIES, type CreateTicket, type TicketChannel, type TicketKind, type TicketPriority,
} from '../../api/types';
import { useFormProblem } from '../../ui/formErrors';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { ContactSelect } from '../customers/ContactSelect';
import { enumOptions, useOwnerOptions, useTeamOptions } from '../../ui/useOptions';
import { useCreateTicket } from './useTickets';
import { FormPageCard, ProblemForm, SaveCancel } from '../../ui/FormPage';
import type { CustomField } from '../../api/types';
import { CustomFieldSection } from '../customFields/CustomFieldInputs';
import { useCustomFields } from '../customFields/useCustomFields';
import { customErrorFields, customFieldsToForm, withCustomCreate, type StoredValues } from '../customFields/values';

/** What the form holds: the API's fields; empty choices are left out of the request. */
export interface TicketFormValues {
  customer_id?: string | null;
  contact_id?: string | null;
  subject: string;
  description?: string | null;
  kind: TicketKind;
  priority: TicketPriority;
  channel: TicketChannel;
  team_id?: string | null;
  assignee_id?: string | null;
  custom_fields?: StoredValues;
}

export const TICKET_FIELDS = ['customer_id', 'contact_id', 'subject', 'description', 'kind', 'priority', 'channel', 'team_id', 'assignee_id'] as const;

export function toCreateTicket(v: TicketFormValues, fields: readonly CustomField[] = []): CreateTicket {
  const description = v.description?.trim();
  return withCustomCreate({
    customer_id: v.customer_id ?? '',
    subject: v.subject.trim(),
    kind: v.kind,
    priority: v.priority,
    channel: v.channel,
    ...(v.contact_id ? { contact_id: v.contact_id } : {}),
    ...(description ? { description } : {}),
    ...(v.team_id ? { team_id: v.team_id } : {}),
    ...(v.assignee_id ? { assignee_id: v.assignee_id } : {}),
  }, fields, v.custom_fields);
}

/** A new ticket (`/service/tickets/new`); `?customer_id=` presets the customer (from the customer page). */
export default function TicketCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { message } = App.useApp();
  const create = useCreateTicket();
  const [form] = Form.useForm<TicketFormValues>();
  const customFields = useCustomFields('tickets');
  const fields = customFields.data ?? [];
  const problem = useFormProblem(form, [...TICKET_FIELDS, ...customErrorFields(fields)], { testId: 'form-error' });
  const initial: TicketFormValues = {
    custom_fields: customFieldsToForm(fields, null),
    customer_id: params.get('customer_id') || null,
    subject: '',
    kind: 'inquiry',
    priority: 'normal',
    channel: 'phone',
  };
  const customerId = (Form.useWatch('customer_id', form) as string | null | undefined) ?? initial.customer_id ?? undefined;
  const owners = useOwnerOptions();
  const teams = useTeamOptions();

  const finish = async (values: TicketFormValues) => {
    const ticket = await create.mutateAsync(toCreateTicket(values, fields));
    void message.success(t('ticket.created', { number: ticket.number }));
    navigate(`/service/tickets/${ticket.id}`, { replace: true });
  };

  return (
    <FormPageCard title={t('ticket.create')}>
      {/* the custom fields' defaults fill the new form: it waits for their definitions (a failure leaves them out) */}
      {customFields.isPending ? <Spin /> : <ProblemForm<TicketFormValues> form={form} initialValues={initial} problem={problem} onSave={finish} data-testid="ticket-form">
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="customer_id" label={t('ticket.customer')} rules={[{ required: true, message: t('validation.required') }]}>
              {/* another customer's contacts do not apply */}
              <CustomerPicker data-testid="ticket-customer" onChange={() => form.setFieldsValue({ contact_id: null })} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="contact_id" label={t('ticket.contact')}>
              <ContactSelect customerId={customerId} placeholder={t('ticket.pickCustomerFirst')} data-testid="ticket-contact" />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="subject" label={t('ticket.subject')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 200 }]}>
              <Input data-testid="ticket-subject" />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="description" label={t('ticket.description')} rules={[{ max: 10_000 }]}>
              <Input.TextArea rows={4} data-testid="ticket-description" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="kind" label={t('ticket.kind')}>
              <Select options={enumOptions(t, TICKET_KINDS, 'ticketKind')} data-testid="ticket-kind" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="priority" label={t('ticket.priority')}>
              <Select options={enumOptions(t, TICKET_PRIORITIES, 'priority')} data-testid="ticket-priority" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="channel" label={t('ticket.channel')}>
              <Select options={enumOptions(t, TICKET_CHANNELS, 'ticketChannel')} data-testid="ticket-channel" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="team_id" label={t('ticket.team')} extra={t('ticket.teamHint')}>
              <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={teams.options} loading={teams.loading} data-testid="ticket-team" />
            </Form.Item>
          </Col>
          {owners.enabled && (
            <Col xs={24} md={12}>
              <Form.Item name="assignee_id" label={t('ticket.assignee')} extra={t('ticket.assigneeHint')}>
                <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={owners.options} loading={owners.loading} data-testid="ticket-assignee" />
              </Form.Item>
            </Col>
          )}
        </Row>
        <CustomFieldSection fields={fields} mode="create" />
        <SaveCancel saving={create.isPending} saveTestId="ticket-save" onCancel={() => navigate(-1)} />
      </ProblemForm>}
    </FormPageCard>
  );
}
