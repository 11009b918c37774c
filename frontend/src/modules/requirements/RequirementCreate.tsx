import { Alert, App, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { DuplicateCandidate, RequirementOrigin } from '../../api/types';
import { useFormProblem } from '../../ui/formErrors';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { useCustomer } from '../customers/useCustomers';
import { DuplicateSuggestions } from './DuplicateSuggestions';
import { RequirementFields } from './RequirementFields';
import { REQUIREMENT_FIELDS, toCreateRequirement, type RequirementFormValues } from './requirementForm';
import { useAddRequester, useCreateRequirement } from './useRequirements';
import { FormPageCard, ProblemForm, SaveCancel } from '../../ui/FormPage';

/** Where the page was opened from: `?customer_id=` (and `contact_id`), `?ticket_id=` or `?interaction_id=`. */
export function originFromSearch(params: URLSearchParams): RequirementOrigin | null {
  const ticket = params.get('ticket_id');
  if (ticket) return { ticket_id: ticket };
  const interaction = params.get('interaction_id');
  if (interaction) return { interaction_id: interaction };
  const customer = params.get('customer_id');
  if (customer) {
    const contact = params.get('contact_id');
    return { customer_id: customer, ...(contact ? { contact_id: contact } : {}) };
  }
  return null;
}

/** A new requirement (`/requirements/new`), from a customer, a ticket or an interaction, or on its own. */
export default function RequirementCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { message } = App.useApp();
  const origin = originFromSearch(params);
  const create = useCreateRequirement();
  const addRequester = useAddRequester();
  const [form] = Form.useForm<RequirementFormValues>();
  const problem = useFormProblem(form, REQUIREMENT_FIELDS);
  const writeFailed = useWriteFailed();
  const title = (Form.useWatch('title', form) as string | undefined) ?? '';
  const description = (Form.useWatch('description', form) as string | undefined) ?? '';
  const pickedCustomer = Form.useWatch('customer_id', form) as string | null | undefined;
  const originCustomer = useCustomer(origin?.customer_id ?? '', Boolean(origin?.customer_id));
  const requesterCustomer = origin?.customer_id ?? pickedCustomer ?? null;
  const initial: RequirementFormValues = {
    title: '',
    category: 'functional',
    source_channel: origin?.ticket_id ? 'ticket' : 'feedback',
    importance: 3,
    urgency: 3,
    effort: 3,
    tags: [],
  };

  const finish = async (values: RequirementFormValues) => {
    const r = await create.mutateAsync(toCreateRequirement(values, origin));
    const dupes = r.duplicate_candidates?.length ?? 0;
    void message.success(dupes > 0 ? t('requirement.createdWithDuplicates', { number: r.number, count: dupes }) : t('requirement.created', { number: r.number }));
    navigate(`/requirements/${r.id}`, { replace: true });
  };

  /** The same need exists: this customer joins its requesters instead of a new requirement. */
  const addTo = (c: DuplicateCandidate) => {
    if (!requesterCustomer) return;
    const note = (form.getFieldValue('note') as string | undefined)?.trim();
    addRequester.mutate(
      { id: c.id, body: { customer_id: requesterCustomer, ...(origin?.contact_id ? { contact_id: origin.contact_id } : {}), ...(note ? { note } : {}) } },
      {
        onSuccess: () => {
          void message.success(t('requirement.requesterAdded'));
          navigate(`/requirements/${c.id}`, { replace: true });
        },
        onError: writeFailed,
      },
    );
  };

  return (
    <FormPageCard title={t('requirement.create')}>
      <ProblemForm<RequirementFormValues> form={form} initialValues={initial} problem={problem} onSave={finish} data-testid="requirement-form">
        {origin?.customer_id && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="requirement-origin"
            title={
              <span>
                {t('requirement.fromCustomer')}{' '}
                <Link to={`/customers/${origin.customer_id}`}>{originCustomer.data?.name ?? '…'}</Link>
              </span>
            }
          />
        )}
        {origin?.ticket_id && (
          <Alert type="info" showIcon style={{ marginBottom: 16 }} data-testid="requirement-origin"
            title={<span>{t('requirement.fromTicket')} <Link to={`/service/tickets/${origin.ticket_id}`}>{t('requirement.openTicket')}</Link></span>} />
        )}
        {origin?.interaction_id && <Alert type="info" showIcon style={{ marginBottom: 16 }} data-testid="requirement-origin" title={t('requirement.fromInteraction')} />}
        <DuplicateSuggestions title={title} description={description} onAddTo={requesterCustomer ? addTo : undefined} />
        <RequirementFields />
        {!origin && (
          <Form.Item name="customer_id" label={t('requirement.requestingCustomer')} extra={t('requirement.requestingCustomerHint')}>
            <CustomerPicker data-testid="requirement-customer" />
          </Form.Item>
        )}
        <Form.Item name="note" label={t('requirement.note')} extra={t('requirement.noteHint')} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={2} data-testid="requirement-note" />
        </Form.Item>
        <SaveCancel saving={create.isPending} saveTestId="requirement-save" onCancel={() => navigate(-1)} />
      </ProblemForm>
    </FormPageCard>
  );
}
