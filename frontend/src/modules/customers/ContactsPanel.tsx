import { useState } from 'react';
import { App, Button, Checkbox, Col, DatePicker, Descriptions, Drawer, Form, Input, Row, Select, Space, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { useUndoNotice } from '../../ui/UndoNotice';
import { isStale, useProblemText } from '../../ui/problemText';
import { mergePatch, textOrNull } from '../../ui/mergePatch';
import { FormModal } from '../../ui/FormModal';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { can } from '../../app/permissions';
import { ID_TYPES, type Contact, type IdType } from '../../api/types';
import { useFormProblem } from '../../ui/formErrors';
import { ErrorResult } from '../../ui/ErrorResult';
import { PhoneLink } from '../../ui/PhoneLink';
import { MaskableItem, PersonalValue, useRevealAction } from '../../ui/PersonalValue';
import { formatPhone } from '../../ui/phone';
import { useMe } from '../auth/useSession';
import { InviteToPortalModal } from '../service/InviteToPortal';
import { usePortalAccounts } from '../service/usePortalAccounts';
import { PrivacyPanel } from '../privacy/PrivacyPanel';
import { useContacts, useDeleteContact, useRestoreContact, useSaveContact } from './useCustomers';
import { FullTable } from '../../ui/FullTable';
import { NewButton } from '../../ui/NewButton';
import { enumOptions } from '../../ui/useOptions';
import { identityRules } from './identity';
import type { CustomField } from '../../api/types';
import { CustomFieldInputs } from '../customFields/CustomFieldInputs';
import { CustomFieldValues } from '../customFields/CustomFieldValues';
import { useCustomFields } from '../customFields/useCustomFields';
import { customErrorFields, customFieldsToForm, isEmptyValue, withCustomCreate, withCustomPatch, type StoredValues } from '../customFields/values';

const TEXT_FIELDS = ['name', 'title', 'department', 'phone', 'mobile', 'email', 'wechat', 'notes', 'id_number', 'bank_name', 'bank_account'] as const;
export const CONTACT_FIELDS = [...TEXT_FIELDS, 'birthday', 'is_primary', 'id_type'] as const;

type ContactText = (typeof TEXT_FIELDS)[number];

interface ContactFormValues extends Partial<Record<Exclude<ContactText, 'name'>, string | null>> {
  name: string;
  birthday?: Dayjs | null;
  is_primary?: boolean;
  id_type?: IdType | null;
  custom_fields?: StoredValues;
}

/** The one-line text inputs of the contact form, in its order, beside the name; labelled `contact.<field>`. */
const LINE_INPUTS: readonly { field: ContactText; testId?: string }[] = [
  { field: 'title', testId: 'contact-title' },
  { field: 'department' },
  { field: 'mobile', testId: 'contact-mobile' },
  { field: 'phone' },
  { field: 'email', testId: 'contact-email' },
  { field: 'wechat' },
];

/** The contact table's personal columns, in its order; each masked with an eye when the role may not see it. */
const PERSONAL_COLUMNS: readonly { field: 'mobile' | 'phone' | 'email' | 'wechat'; phone?: boolean }[] = [
  { field: 'mobile', phone: true },
  { field: 'phone', phone: true },
  { field: 'email' },
  { field: 'wechat' },
];

function toWire(v: ContactFormValues) {
  const out: Record<string, unknown> = {};
  for (const k of TEXT_FIELDS) out[k] = textOrNull(v[k]);
  out.birthday = v.birthday ? v.birthday.format('YYYY-MM-DD') : null;
  out.is_primary = v.is_primary ?? false;
  out.id_type = v.id_type ?? null;
  return out as { name: string } & Record<string, unknown>;
}

/** A stored contact as its form shows it: the birthday as a date, phones as people write them. */
export function contactToForm(c: Contact, fields: readonly CustomField[] = []): ContactFormValues {
  return {
    ...c,
    custom_fields: customFieldsToForm(fields, (c.custom_fields ?? {}) as StoredValues),
    birthday: c.birthday ? dayjs(c.birthday) : null,
    phone: c.phone && !c.masked.includes('phone') ? formatPhone(c.phone) : c.phone,
    mobile: c.mobile && !c.masked.includes('mobile') ? formatPhone(c.mobile) : c.mobile,
  };
}

/**
 * The merge patch of a contact form against the stored contact: only what the person changed. A
 * field the stored contact carries masked is never sent (its input is disabled until revealed).
 */
export function contactPatch(c: Contact, v: ContactFormValues, fields: readonly CustomField[] = []) {
  const patch = mergePatch(toWire(contactToForm(c)), toWire(v));
  for (const field of c.masked) delete patch[field];
  return withCustomPatch(patch, fields, c.custom_fields, v.custom_fields);
}

/**
 * The form's values once the contact it edits is read again (revealed in clear): that reading, with
 * what the person changed against the old one kept on top.
 */
export function contactReapplied(old: Contact, next: Contact, mine: ContactFormValues, fields: readonly CustomField[] = []): ContactFormValues {
  const values: Record<string, unknown> = { ...contactToForm(next, fields) };
  const current = mine as unknown as Record<string, unknown>;
  for (const key of Object.keys(contactPatch(old, mine, fields))) values[key] = current[key];
  return values as unknown as ContactFormValues;
}

/** Whether a contact has an identity document or a bank account on file: its row opens to show them. */
const hasDocuments = (c: Contact) => Boolean(c.id_type || c.id_number || c.bank_name || c.bank_account);
/** Whether a contact has a custom field value: its row opens to show them too. */
const hasCustomValues = (c: Contact) => Object.values((c.custom_fields ?? {}) as StoredValues).some((v) => !isEmptyValue(v));

/** A contact's identity document and bank account, in its opened row; the numbers masked with an eye when the role may not see them. */
function ContactDocuments({ contact: c }: { contact: Contact }) {
  const { t } = useTranslation();
  const personal = (field: 'id_number' | 'bank_account') => (
    <PersonalValue kind="contact" record={c} field={field} empty="—" data-testid={`contact-${field}-value`} />
  );
  return (
    <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 4 }} data-testid="contact-documents">
      <Descriptions.Item label={t('contact.id_type')}>
        <span data-testid="contact-id_type-value">{c.id_type ? t(`idType.${c.id_type}`) : '—'}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('contact.id_number')}>{personal('id_number')}</Descriptions.Item>
      <Descriptions.Item label={t('contact.bank_name')}><span data-testid="contact-bank_name-value">{c.bank_name || '—'}</span></Descriptions.Item>
      <Descriptions.Item label={t('contact.bank_account')}>{personal('bank_account')}</Descriptions.Item>
    </Descriptions>
  );
}

/** A contact's row opened: its documents and its custom fields' values. */
function ContactDetails({ contact: c }: { contact: Contact }) {
  return (
    <>
      {hasDocuments(c) && <ContactDocuments contact={c} />}
      <CustomFieldValues entity="contacts" values={(c.custom_fields ?? {}) as StoredValues} column={{ xs: 1, sm: 2, lg: 4 }} />
    </>
  );
}

export function ContactsPanel({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const identity = identityRules(t);
  const problemText = useProblemText();
  const me = useMe().data;
  const contacts = useContacts(customerId);
  const save = useSaveContact(customerId);
  const remove = useDeleteContact(customerId);
  const restore = useRestoreContact(customerId);
  const { message } = App.useApp();
  const undoNotice = useUndoNotice();
  const writeFailed = useWriteFailed(() => void contacts.refetch());
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  // kept while the dialog closes, so its title does not flip during the animation
  const [mode, setMode] = useState<'new' | 'edit'>('new');
  const [form] = Form.useForm<ContactFormValues>();
  const customFields = useCustomFields('contacts').data ?? [];
  const problem = useFormProblem(form, [...CONTACT_FIELDS, ...customErrorFields(customFields)], { testId: 'contact-form-error' });
  // portal accounts: a tag on contacts that have one, "invite to portal" on those that do not
  const canInvite = can(me, 'service', 'create');
  const portalAccounts = usePortalAccounts(customerId, can(me, 'service', 'read'));
  const withAccount = new Set((portalAccounts.data ?? []).map((a) => a.contact_id));
  const [inviting, setInviting] = useState<string | null>(null);
  // the contact whose privacy (consents, export, erasure) is open in the drawer
  const [privacyOf, setPrivacyOf] = useState<Contact | null>(null);
  const revealing = useRevealAction<Contact>('contact');
  const edited = editing !== null && editing !== 'new' ? editing : null;
  // the contact being edited, in clear (audited): its inputs filled and enabled, the user's changes kept
  const revealEdited = () => {
    if (!edited) return;
    revealing.reveal(edited.id, (clear) => {
      form.setFieldsValue(contactReapplied(edited, clear, form.getFieldsValue(true) as ContactFormValues, customFields));
      setEditing(clear);
    });
  };
  const maskedInForm = (field: string) => edited?.masked.includes(field) ?? false;

  const open = (c: Contact | 'new') => {
    problem.reset(c === 'new' ? { custom_fields: customFieldsToForm(customFields, null) } : contactToForm(c, customFields));
    setMode(c === 'new' ? 'new' : 'edit');
    setEditing(c);
  };

  const submit = () =>
    problem.submit(async (values) => {
      try {
        if (editing === 'new') {
          await save.mutateAsync({ kind: 'create', body: withCustomCreate(toWire(values), customFields, values.custom_fields) });
        } else if (editing) {
          await save.mutateAsync({ kind: 'update', contact: editing, patch: contactPatch(editing, values, customFields) });
        }
      } catch (e) {
        // the stale notice asks to try again: the list shows the contact as it is now
        if (isStale(e)) void contacts.refetch();
        throw e;
      }
      void message.success(t('common.saved'));
      setEditing(null);
    });

  if (contacts.isError) return <ErrorResult error={contacts.error} onRetry={() => void contacts.refetch()} />;
  const canCreate = can(me, 'contacts', 'create') || can(me, 'customers', 'update');
  const canUpdate = can(me, 'contacts', 'update') || can(me, 'customers', 'update');
  const canDelete = can(me, 'contacts', 'delete') || can(me, 'customers', 'update');

  return (
    <div>
      {canCreate && <NewButton plain onClick={() => open('new')} data-testid="contact-add">{t('contact.add')}</NewButton>}
      <FullTable<Contact>
        size="small"
        query={contacts}
        data-testid="contacts-table"
        expandable={{ expandedRowRender: (c) => <ContactDetails contact={c} />, rowExpandable: (c) => hasDocuments(c) || hasCustomValues(c) }}
        columns={[
          {
            title: t('contact.name'),
            dataIndex: 'name',
            render: (_: unknown, c: Contact) => (
              <Space>
                {c.name}
                {c.is_primary && <Tag color="blue">{t('contact.primary')}</Tag>}
                {withAccount.has(c.id) && <Tag color="cyan" data-testid="contact-portal-tag">{t('portalAccount.tag')}</Tag>}
              </Space>
            ),
          },
          { title: t('contact.title'), dataIndex: 'title' },
          ...PERSONAL_COLUMNS.map(({ field, phone }) => ({
            title: t(`contact.${field}`),
            dataIndex: field,
            render: (_: unknown, c: Contact) => (
              <PersonalValue kind="contact" record={c} field={field} render={phone ? (p) => <PhoneLink value={p} /> : undefined} data-testid={`contact-${field}-value`} />
            ),
          })),
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, c: Contact) => (
              <Space>
                {canInvite && portalAccounts.isSuccess && !withAccount.has(c.id) && (
                  <Button size="small" type="link" onClick={() => setInviting(c.id)} data-testid="contact-invite-portal">
                    {t('portalAccount.invite')}
                  </Button>
                )}
                <Button size="small" type="link" onClick={() => setPrivacyOf(c)} data-testid="contact-privacy">
                  {t('contact.privacy')}
                </Button>
                {canUpdate && <EditLink onClick={() => open(c)} data-testid="contact-edit" />}
                {canDelete && (
                  <DeleteLink
                    confirm={t('contact.deleteConfirm')}
                    onConfirm={() =>
                      remove.mutate(c, {
                        onSuccess: () =>
                          undoNotice({
                            key: `contact-deleted-${c.id}`,
                            text: t('contact.deleted'),
                            onUndo: () => restore.mutate(c.id, { onError: (e) => void message.error(problemText(e)) }),
                            'data-testid': 'contact-undo',
                          }),
                        onError: writeFailed,
                      })
                    }
                    data-testid="contact-delete"
                  />
                )}
              </Space>
            ),
          },
        ]}
      />
      <FormModal
        form={form}
        open={editing !== null}
        title={mode === 'new' ? t('contact.add') : t('contact.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => void submit()}
        confirmLoading={save.isPending}
        okTestId="contact-save"
      >
        {problem.alert}
        <Form form={form} layout="vertical" data-testid="contact-form">
          <Row gutter={12}>
            <Col xs={24} sm={12}>
              <Form.Item name="name" label={t('contact.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
                <Input data-testid="contact-name" />
              </Form.Item>
            </Col>
            {LINE_INPUTS.map(({ field, testId }) => (
              <Col xs={24} sm={12} key={field}>
                <MaskableItem name={field} label={t(`contact.${field}`)} masked={maskedInForm(field)} onReveal={revealEdited} revealing={revealing.pending}>
                  <Input data-testid={testId ?? `contact-${field}`} />
                </MaskableItem>
              </Col>
            ))}
            <Col xs={24} sm={12}>
              <MaskableItem name="birthday" label={t('contact.birthday')} masked={maskedInForm('birthday')} onReveal={revealEdited} revealing={revealing.pending}>
                <DatePicker style={{ width: '100%' }} data-testid="contact-birthday" />
              </MaskableItem>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name="id_type" label={t('contact.id_type')} rules={identity.id_type} dependencies={['id_number']}>
                <Select allowClear options={enumOptions(t, ID_TYPES, 'idType')} data-testid="contact-id_type" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <MaskableItem
                name="id_number"
                label={t('contact.id_number')}
                rules={identity.id_number}
                dependencies={['id_type']}
                masked={maskedInForm('id_number')}
                onReveal={revealEdited}
                revealing={revealing.pending}
              >
                <Input data-testid="contact-id_number" />
              </MaskableItem>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name="bank_name" label={t('contact.bank_name')}>
                <Input data-testid="contact-bank_name" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <MaskableItem name="bank_account" label={t('contact.bank_account')} masked={maskedInForm('bank_account')} onReveal={revealEdited} revealing={revealing.pending}>
                <Input data-testid="contact-bank_account" />
              </MaskableItem>
            </Col>
            <Col xs={24}>
              <Form.Item name="notes" label={t('contact.notes')}>
                <Input.TextArea rows={2} />
              </Form.Item>
            </Col>
            <Col xs={24}>
              <Form.Item name="is_primary" valuePropName="checked">
                <Checkbox>{t('contact.primary')}</Checkbox>
              </Form.Item>
            </Col>
          </Row>
          <CustomFieldInputs fields={customFields} mode={mode === 'new' ? 'create' : 'edit'} stored={edited ? ((edited.custom_fields ?? {}) as StoredValues) : undefined} />
        </Form>
      </FormModal>
      <Drawer
        open={privacyOf !== null}
        size="large"
        title={privacyOf ? t('contact.privacyOf', { name: privacyOf.name }) : ''}
        onClose={() => setPrivacyOf(null)}
        destroyOnHidden
        data-testid="contact-privacy-drawer"
      >
        {privacyOf && (
          <PrivacyPanel subject={{ type: 'contact', id: privacyOf.id }} name={privacyOf.name}
            onErased={() => { setPrivacyOf(null); void contacts.refetch(); }} />
        )}
      </Drawer>
      {canInvite && (
        <InviteToPortalModal
          open={inviting !== null}
          contacts={(contacts.data ?? []).filter((c) => c.id === inviting || !withAccount.has(c.id))}
          contactId={inviting}
          onClose={() => setInviting(null)}
        />
      )}
    </div>
  );
}
