import { useEffect, useState } from 'react';
import { Button, Form, Input, Select, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CopyField } from '../../ui/CopyField';
import { FormModal } from '../../ui/FormModal';
import type { Contact, PortalInvitation } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { useFormProblem } from '../../ui/formErrors';
import { invitationUrl } from './portalInvite';
import { useInviteToPortal } from './usePortalAccounts';

/** The invitation link, absolute, with a copy button: the colleague sends it to the contact. */
export function InvitationLink({ invitation }: { invitation: PortalInvitation }) {
  const { t, i18n } = useTranslation();
  const url = invitationUrl(invitation);
  return (
    <div data-testid="portal-invitation">
      <Typography.Paragraph>
        {t('portalAccount.linkHint', { name: invitation.account.contact_name ?? invitation.account.email, email: invitation.account.email })}
      </Typography.Paragraph>
      <CopyField value={url} labels="portalAccount" data-testid="portal-invitation-link" copyTestId="portal-invitation-copy" />
      {invitation.expires_at && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {t('portalAccount.linkExpires', { time: formatDateTime(invitation.expires_at, i18n.language) })}
        </Typography.Paragraph>
      )}
    </div>
  );
}

/** What the email input starts with: the contact's email, unless the page reads it masked. */
function emailOf(c: Contact | undefined): string {
  return c?.email && !c.masked?.includes('email') ? c.email : '';
}

interface InviteValues {
  contact_id?: string;
  email?: string;
  sees_company_tickets: boolean;
}

interface Props {
  open: boolean;
  /** The contacts that may be invited (those without an account); one preselected when opened from its row. */
  contacts: readonly Contact[];
  contactId?: string | null;
  onClose: () => void;
}

/** "Invite to portal": an account for a contact (their email by default), then the link to send them. */
export function InviteToPortalModal({ open, contacts, contactId, onClose }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<InviteValues>();
  const invite = useInviteToPortal();
  const [invitation, setInvitation] = useState<PortalInvitation | null>(null);
  const problem = useFormProblem(form, ['contact_id', 'email', 'sees_company_tickets'], { testId: 'portal-invite-error' });
  const chosen = Form.useWatch('contact_id', form);
  const contact = contacts.find((c) => c.id === chosen);
  // a masked email is not an address: left empty, the server invites the contact at the one on file
  const emailMasked = contact?.masked?.includes('email') === true;

  useEffect(() => {
    if (!open) return;
    setInvitation(null);
    const c = contacts.find((x) => x.id === contactId);
    problem.reset({ contact_id: contactId ?? undefined, email: emailOf(c), sees_company_tickets: false });
    // contacts change identity on refetch; the dialog is set up once per opening
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, contactId, form]);

  const submit = () =>
    problem.submit(async (v) => {
      const email = v.email?.trim();
      const inv = await invite.mutateAsync({
        contact_id: v.contact_id ?? '',
        sees_company_tickets: v.sees_company_tickets,
        ...(email && email !== emailOf(contact) ? { email } : {}),
      });
      setInvitation(inv);
    });

  return (
    <FormModal
      // once the invitation exists there is nothing left to lose
      form={invitation ? undefined : form}
      open={open}
      title={t('portalAccount.inviteTitle')}
      onCancel={onClose}
      destroyOnHidden
      footer={
        invitation ? (
          <Button type="primary" onClick={onClose} data-testid="portal-invite-done">{t('portalAccount.done')}</Button>
        ) : (
          <Space>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="primary" loading={invite.isPending} onClick={() => void submit()} data-testid="portal-invite-submit">
              {t('portalAccount.invite')}
            </Button>
          </Space>
        )
      }
    >
      {invitation ? (
        <InvitationLink invitation={invitation} />
      ) : (
        <>
          {problem.alert}
          <Form form={form} layout="vertical" data-testid="portal-invite-form">
            <Form.Item name="contact_id" label={t('portalAccount.contact')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select
                options={contacts.map((c) => ({ value: c.id, label: c.email ? `${c.name} · ${c.email}` : c.name }))}
                onChange={(id: string) => form.setFieldValue('email', emailOf(contacts.find((c) => c.id === id)))}
                data-testid="portal-invite-contact"
              />
            </Form.Item>
            <Form.Item
              name="email"
              label={t('portalAccount.email')}
              extra={emailMasked ? t('portalAccount.emailMaskedHint') : t('portalAccount.emailHint')}
              rules={[{ required: !emailMasked, message: t('portalAccount.emailRequired') }, { type: 'email', message: t('validation.email') }]}
            >
              <Input autoComplete="off" placeholder={emailMasked ? (contact?.email ?? undefined) : undefined} data-testid="portal-invite-email" />
            </Form.Item>
            <Form.Item name="sees_company_tickets" label={t('portalAccount.companyWide')} valuePropName="checked" extra={t('portalAccount.companyWideHint')}>
              <Switch data-testid="portal-invite-company" />
            </Form.Item>
          </Form>
        </>
      )}
    </FormModal>
  );
}
