import { useState } from 'react';
import { App, Button, Modal, Popconfirm, Space, Switch, Tag, Tooltip, Typography } from 'antd';
import { LinkOutlined, UserAddOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { can } from '../../app/permissions';
import type { PortalAccount, PortalInvitation } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { useContacts } from '../customers/useCustomers';
import { InvitationLink, InviteToPortalModal } from './InviteToPortal';
import { invitationState } from './portalInvite';
import { usePortalAccounts, useReinvite, useUpdatePortalAccount } from './usePortalAccounts';
import { FullTable } from '../../ui/FullTable';
import { MaskedValue } from '../../ui/PersonalValue';

const STATE_COLORS = { activated: 'success', pending: 'processing', expired: 'warning', none: 'default' } as const;

/** Whether an account is active, and where its invitation stands. */
export function PortalAccountStatus({ account }: { account: PortalAccount }) {
  const { t, i18n } = useTranslation();
  if (!account.active) return <Tag color="default" data-testid="portal-account-status" data-state="inactive">{t('portalAccount.inactive')}</Tag>;
  const state = invitationState(account);
  const tag = <Tag color={STATE_COLORS[state]} data-testid="portal-account-status" data-state={state}>{t(`portalAccount.state.${state}`)}</Tag>;
  return state === 'pending' && account.invitation_expires_at ? (
    <Tooltip title={t('portalAccount.linkExpires', { time: formatDateTime(account.invitation_expires_at, i18n.language) })}>{tag}</Tooltip>
  ) : tag;
}

/** The customer page's portal tab: its contacts' accounts, invitations, company-wide access, deactivation. */
export function PortalAccountsPanel({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const { message } = App.useApp();
  const accounts = usePortalAccounts(customerId);
  const contacts = useContacts(customerId);
  const update = useUpdatePortalAccount();
  const reinvite = useReinvite();
  const [inviting, setInviting] = useState(false);
  const [link, setLink] = useState<PortalInvitation | null>(null);
  const canCreate = can(me, 'service', 'create');
  const canUpdate = can(me, 'service', 'update');
  const withAccount = new Set((accounts.data ?? []).map((a) => a.contact_id));
  const invitable = (contacts.data ?? []).filter((c) => !withAccount.has(c.id));

  const failed = useWriteFailed(() => void accounts.refetch());
  const change = (account: PortalAccount, patch: { active?: boolean; sees_company_tickets?: boolean }, done: string) =>
    update.mutate({ account, patch }, { onSuccess: () => void message.success(done), onError: failed });

  if (accounts.isError) return <ErrorResult error={accounts.error} onRetry={() => void accounts.refetch()} />;
  return (
    <div data-testid="portal-accounts">
      <Space style={{ marginBottom: 12 }} wrap>
        {canCreate && (
          <Button icon={<UserAddOutlined />} onClick={() => setInviting(true)} disabled={invitable.length === 0} data-testid="portal-invite">
            {t('portalAccount.inviteContact')}
          </Button>
        )}
        <Typography.Text type="secondary">{t('portalAccount.panelHint')}</Typography.Text>
      </Space>
      <FullTable<PortalAccount>
        size="small"
        query={accounts}
        locale={{ emptyText: t('portalAccount.none') }}
        data-testid="portal-account-table"
        onRow={(a) => ({ 'data-contact': a.contact_name ?? '' } as React.HTMLAttributes<HTMLElement>)}
        columns={[
          { title: t('portalAccount.contact'), key: 'contact', render: (_: unknown, a: PortalAccount) => a.contact_name ?? '—' },
          {
            title: t('portalAccount.email'),
            dataIndex: 'email',
            render: (_: unknown, a: PortalAccount) => <MaskedValue value={a.email} masked={a.masked.includes('email')} data-testid="portal-account-email" />,
          },
          { title: t('portalAccount.status'), key: 'status', render: (_: unknown, a: PortalAccount) => <PortalAccountStatus account={a} /> },
          {
            title: t('portalAccount.lastLogin'),
            key: 'last_login_at',
            render: (_: unknown, a: PortalAccount) => (a.last_login_at ? formatDateTime(a.last_login_at, i18n.language) : <Typography.Text type="secondary">{t('portalAccount.never')}</Typography.Text>),
          },
          {
            title: t('portalAccount.companyWide'),
            key: 'company',
            render: (_: unknown, a: PortalAccount) => (
              <Switch
                size="small"
                checked={a.sees_company_tickets}
                disabled={!canUpdate || !a.active}
                loading={update.isPending && update.variables?.account.id === a.id && update.variables.patch.sees_company_tickets !== undefined}
                onChange={(v) => change(a, { sees_company_tickets: v }, t('common.saved'))}
                data-testid="portal-account-company"
              />
            ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, a: PortalAccount) =>
              canUpdate && (
                <Space>
                  {a.active && (
                    <Button
                      size="small"
                      type="link"
                      icon={<LinkOutlined />}
                      loading={reinvite.isPending && reinvite.variables?.id === a.id}
                      onClick={() => reinvite.mutate(a, { onSuccess: setLink, onError: failed })}
                      data-testid="portal-account-reinvite"
                    >
                      {a.activated ? t('portalAccount.resetLink') : t('portalAccount.newLink')}
                    </Button>
                  )}
                  {a.active ? (
                    <Popconfirm
                      title={t('portalAccount.deactivateConfirm', { name: a.contact_name ?? a.email })}
                      okText={t('portalAccount.deactivate')}
                      cancelText={t('common.cancel')}
                      okButtonProps={{ danger: true, 'data-testid': 'portal-account-deactivate-confirm' } as { danger?: boolean }}
                      onConfirm={() => change(a, { active: false }, t('portalAccount.deactivated'))}
                    >
                      <Button size="small" type="link" danger data-testid="portal-account-deactivate">{t('portalAccount.deactivate')}</Button>
                    </Popconfirm>
                  ) : (
                    <Button size="small" type="link" onClick={() => change(a, { active: true }, t('portalAccount.activated'))} data-testid="portal-account-activate">
                      {t('portalAccount.activate')}
                    </Button>
                  )}
                </Space>
              ),
          },
        ]}
      />
      <InviteToPortalModal open={inviting} contacts={invitable} onClose={() => setInviting(false)} />
      <Modal
        open={link !== null}
        title={t('portalAccount.newLinkTitle')}
        onCancel={() => setLink(null)}
        footer={<Button type="primary" onClick={() => setLink(null)} data-testid="portal-link-close">{t('portalAccount.done')}</Button>}
        destroyOnHidden
      >
        {link && <InvitationLink invitation={link} />}
      </Modal>
    </div>
  );
}
