import { useEffect } from 'react';
import { App, Form, Input, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CLOSE_NOTE_MAX, CLOSE_REASONS, type CloseReason, type Ticket } from '../../api/types';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem } from '../../ui/formErrors';
import { parseTicketFilters } from './filters';
import { useMoveTicket, useTicketList } from './useTickets';
import { enumOptions } from '../../ui/useOptions';

interface Values {
  close_reason?: CloseReason;
  close_note?: string;
  duplicate_of?: string | null;
}

const FIELDS = ['close_reason', 'close_note', 'duplicate_of'] as const;

/**
 * Closes a ticket that was never resolved. The server refuses that without a reason
 * (`ticket.close_reason_required`), so the dialog asks why: spam, a duplicate (optionally of which
 * of the customer's tickets), a customer who never answered, one who withdrew, or another reason
 * explained in a note.
 */
export function CloseTicketModal({ open, ticket, onClose }: { open: boolean; ticket: Ticket; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const move = useMoveTicket();
  const [form] = Form.useForm<Values>();
  const problem = useFormProblem(form, FIELDS, { testId: 'close-error' });
  const reason = Form.useWatch('close_reason', form);
  // a duplicate is most often the same customer asking twice: offer their other tickets
  const siblings = useTicketList(parseTicketFilters(new URLSearchParams({ view: 'all', customer_id: ticket.customer_id })), 50, open && reason === 'duplicate');
  const duplicateOptions = (siblings.data?.pages.flatMap((p) => p.data) ?? [])
    .filter((other) => other.id !== ticket.id)
    .map((other) => ({ value: other.id, label: `${other.number} ${other.subject}` }));

  useEffect(() => {
    if (!open) return;
    problem.reset();
    // only when the dialog opens: clearing on every render would wipe a shown failure
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, form]);

  const submit = () =>
    problem.submit(async (v) => {
      const closed = await move.mutateAsync({
        ticket,
        status: 'closed',
        close: {
          close_reason: v.close_reason ?? null,
          close_note: v.close_note?.trim() ? v.close_note : null,
          duplicate_of: v.close_reason === 'duplicate' ? (v.duplicate_of ?? null) : null,
        },
      });
      void message.success(t('ticket.moved', { status: t(`ticketStatus.${closed.status}`) }));
      onClose();
    });

  return (
    <FormModal
      open={open}
      form={form}
      title={t('ticket.closeTitle', { number: ticket.number })}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('ticket.action.close')}
      okButtonProps={{ danger: true }}
      okTestId="close-save"
      confirmLoading={move.isPending}
    >
      <Typography.Paragraph type="secondary" data-testid="close-hint">{t('ticket.closeHint')}</Typography.Paragraph>
      {problem.alert}
      <Form form={form} layout="vertical" data-testid="close-form">
        <Form.Item name="close_reason" label={t('ticket.closeReason')} rules={[{ required: true, message: t('fieldError.required') }]}>
          <Select
            options={enumOptions(t, CLOSE_REASONS, 'closeReason')}
            placeholder={t('ticket.closeReasonPlaceholder')}
            data-testid="close-reason"
          />
        </Form.Item>
        {reason === 'duplicate' && (
          <Form.Item name="duplicate_of" label={t('ticket.duplicateOf')} extra={t('ticket.duplicateOfHint')}>
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              options={duplicateOptions}
              loading={siblings.isFetching}
              notFoundContent={siblings.isFetching ? undefined : t('ticket.noOtherTickets')}
              data-testid="close-duplicate-of"
            />
          </Form.Item>
        )}
        <Form.Item
          name="close_note"
          label={t('ticket.closeNote')}
          rules={[
            { required: reason === 'other', whitespace: true, message: t('ticket.closeNoteRequired') },
            { max: CLOSE_NOTE_MAX, message: t('fieldError.too_long', { max: CLOSE_NOTE_MAX }) },
          ]}
        >
          <Input.TextArea rows={3} placeholder={t('ticket.closeNotePlaceholder')} data-testid="close-note" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
