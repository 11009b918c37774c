import { useEffect } from 'react';
import { App, Col, DatePicker, Form, Input, InputNumber, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { CHANNELS, DIRECTIONS, type Channel, type CreateInteraction, type Direction, type Interaction, type UpdateInteraction } from '../../api/types';
import { EnumRadio } from '../../ui/EnumRadio';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem } from '../../ui/formErrors';
import { mergePatch, sameInstant, textOrNull, withoutNulls } from '../../ui/mergePatch';
import { useVersionedEdit } from '../../ui/useVersionedEdit';
import { useContacts } from '../customers/useCustomers';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { fetchInteraction, useCreateInteraction, useUpdateInteraction } from './useInteractions';
import { enumOptions } from '../../ui/useOptions';

/** What the form holds: the API's writable fields, with the time as a dayjs value. */
export interface InteractionFormValues {
  customer_id?: string;
  contact_id?: string | null;
  channel: Channel;
  direction: Direction;
  occurred_at: Dayjs;
  duration_minutes?: number | null;
  subject: string;
  content?: string | null;
  outcome?: string | null;
  next_step?: string | null;
}

export const INTERACTION_FIELDS = [
  'customer_id', 'contact_id', 'channel', 'direction', 'occurred_at', 'duration_minutes', 'subject', 'content', 'outcome', 'next_step',
] as const;

/** The server refuses times more than five minutes ahead. */
const FUTURE_SLACK_MS = 5 * 60_000;

export function newInteractionValues(customerId?: string): InteractionFormValues {
  return { customer_id: customerId, channel: 'phone', direction: 'outbound', occurred_at: dayjs(), subject: '' };
}

export function interactionToForm(i: Interaction): InteractionFormValues {
  return {
    customer_id: i.customer_id,
    contact_id: i.contact_id ?? null,
    channel: i.channel,
    direction: i.direction,
    occurred_at: dayjs(i.occurred_at),
    duration_minutes: i.duration_minutes ?? null,
    subject: i.subject,
    content: i.content ?? null,
    outcome: i.outcome ?? null,
    next_step: i.next_step ?? null,
  };
}

/** Form values as the API wants them: blank text is null, the time is RFC 3339. */
export function interactionToWire(v: InteractionFormValues): Record<string, unknown> {
  return {
    contact_id: v.contact_id ?? null,
    channel: v.channel,
    direction: v.direction,
    occurred_at: v.occurred_at.toISOString(),
    duration_minutes: v.duration_minutes ?? null,
    subject: v.subject.trim(),
    content: textOrNull(v.content),
    outcome: textOrNull(v.outcome),
    next_step: textOrNull(v.next_step),
  };
}

export function toCreateInteraction(customerId: string, v: InteractionFormValues): CreateInteraction {
  return { ...withoutNulls(interactionToWire(v)), customer_id: customerId } as CreateInteraction;
}

/** Only what changed since `base` (a merge patch). */
export function toInteractionPatch(base: Interaction, v: InteractionFormValues): UpdateInteraction {
  return mergePatch(interactionToWire(interactionToForm(base)), interactionToWire(v), { occurred_at: sameInstant }) as UpdateInteraction;
}

interface Props {
  open: boolean;
  onClose: () => void;
  /** Logs for this customer (the picker is hidden); without it the user picks one. */
  customerId?: string;
  /** Edits this interaction instead of logging a new one. */
  interaction?: Interaction | null;
}

/** The compact "log an interaction" dialog: channel phone and time now are preset. */
export function InteractionModal({ open, onClose, customerId, interaction }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<InteractionFormValues>();
  const create = useCreateInteraction();
  const update = useUpdateInteraction();
  const problem = useFormProblem(form, INTERACTION_FIELDS, { testId: 'interaction-form-error' });
  const edit = useVersionedEdit({
    record: interaction ?? null,
    latest: (base) => fetchInteraction(base.id),
    form,
    toForm: interactionToForm,
    changes: toInteractionPatch,
  });
  const picked = Form.useWatch('customer_id', form);
  const customer = customerId ?? interaction?.customer_id ?? picked;
  const contacts = useContacts(customer ?? '', open && Boolean(customer));

  useEffect(() => {
    if (!open) return;
    edit.reset(interaction ?? null);
    problem.reset(interaction ? interactionToForm(interaction) : newInteractionValues(customerId));
    // only a dialog opened again starts over
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, interaction, customerId, form]);

  const submit = () =>
    problem.submit(async (values) => {
      // a new interaction is about a customer: the page's, else the one picked (the picker requires one)
      const target = customerId ?? values.customer_id;
      if (!edit.base && !target) return;
      const outcome = await edit.saveOrCreate(
        values,
        (base, patch) => update.mutateAsync({ interaction: base, patch }),
        () => create.mutateAsync(toCreateInteraction(target ?? '', values)),
      );
      if (outcome === 'stale') return;
      void message.success(outcome === 'created' ? t('interaction.logged') : t('common.saved'));
      onClose();
    });

  return (
    <FormModal
      form={form}
      open={open}
      title={interaction ? t('interaction.edit') : t('interaction.log')}
      onCancel={onClose}
      onOk={() => void submit()}
      confirmLoading={create.isPending || update.isPending}
      okTestId="interaction-save"
      width={600}
      destroyOnHidden={false}
    >
      {edit.notice}
      {problem.alert}
      <Form form={form} layout="vertical" data-testid="interaction-form" initialValues={newInteractionValues(customerId)}>
        <Row gutter={12}>
          {!customerId && !interaction && (
            <Col xs={24}>
              <Form.Item name="customer_id" label={t('activity.customer')} rules={[{ required: true, message: t('validation.required') }]}>
                <CustomerPicker data-testid="interaction-customer" />
              </Form.Item>
            </Col>
          )}
          <Col xs={12} sm={8}>
            <Form.Item name="channel" label={t('interaction.channel')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select options={enumOptions(t, CHANNELS, 'channel')} data-testid="interaction-channel" />
            </Form.Item>
          </Col>
          <Col xs={12} sm={8}>
            <Form.Item name="direction" label={t('interaction.direction')}>
              <EnumRadio values={DIRECTIONS} labelKey="direction" data-testid="interaction-direction" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="contact_id" label={t('interaction.contact')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                disabled={!customer}
                loading={contacts.isFetching}
                options={(contacts.data ?? []).map((c) => ({ value: c.id, label: c.title ? `${c.name} (${c.title})` : c.name }))}
                data-testid="interaction-contact"
              />
            </Form.Item>
          </Col>
          <Col xs={16} sm={12}>
            <Form.Item
              name="occurred_at"
              label={t('interaction.occurredAt')}
              rules={[
                { required: true, message: t('validation.required') },
                {
                  validator: (_r, v?: Dayjs) =>
                    v && v.valueOf() > Date.now() + FUTURE_SLACK_MS ? Promise.reject(new Error(t('interaction.notInFuture'))) : Promise.resolve(),
                },
              ]}
            >
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} allowClear={false} data-testid="interaction-occurred-at" />
            </Form.Item>
          </Col>
          <Col xs={8} sm={12}>
            <Form.Item name="duration_minutes" label={t('interaction.durationMinutes')}>
              <InputNumber min={0} max={1440} precision={0} style={{ width: '100%' }} data-testid="interaction-duration" />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item
              name="subject"
              label={t('interaction.subject')}
              rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 200 }]}
            >
              <Input autoFocus data-testid="interaction-subject" />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="content" label={t('interaction.content')}>
              <Input.TextArea rows={3} data-testid="interaction-content" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="outcome" label={t('interaction.outcome')}>
              <Input data-testid="interaction-outcome" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="next_step" label={t('interaction.nextStep')}>
              <Input data-testid="interaction-next-step" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </FormModal>
  );
}
