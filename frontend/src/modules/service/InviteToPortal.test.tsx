import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Contact } from '../../api/types';
import { json, renderWithApp } from '../../test/render';
import { InviteToPortalModal } from './InviteToPortal';

afterEach(() => vi.unstubAllGlobals());

const contact = (id: string, name: string, email: string | null) => ({ id, name, email, customer_id: 'c1', is_primary: false }) as unknown as Contact;

describe('<InviteToPortalModal>', () => {
  it("invites with the contact's email and the company-wide switch, then shows the absolute link to copy", async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const bodies: unknown[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      bodies.push(await req.json());
      return json(201, {
        account: {
          id: 'pa1', contact_id: 'k1', contact_name: '王伟', customer_id: 'c1', customer_name: 'ACME', email: 'wang@example.cn', sees_company_tickets: true,
          active: true, activated: false, invitation_expires_at: '2026-11-30T08:00:00Z', last_login_at: null, created_at: '2026-11-23T08:00:00Z',
          updated_at: '2026-11-23T08:00:00Z', version: 1,
        },
        invitation_token: 'tok_123', invitation_path: '/portal/accept?token=tok_123', expires_at: '2026-11-30T08:00:00Z',
      });
    }));
    const user = userEvent.setup();
    renderWithApp(<InviteToPortalModal open contacts={[contact('k1', '王伟', 'wang@example.cn'), contact('k2', '李娜', null)]} contactId="k1" onClose={() => undefined} />);
    expect(await screen.findByTestId('portal-invite-email')).toHaveValue('wang@example.cn');
    await user.click(screen.getByTestId('portal-invite-company'));
    await user.click(screen.getByTestId('portal-invite-submit'));
    const link = await screen.findByTestId('portal-invitation-link');
    expect(link).toHaveValue(`${location.origin}/portal/accept?token=tok_123`);
    // the contact's own email is the default: not sent again
    expect(bodies).toEqual([{ contact_id: 'k1', sees_company_tickets: true }]);
    expect(screen.getByTestId('portal-invitation')).toHaveTextContent('wang@example.cn');
  }, 30_000);

  it('asks for an email when the contact has none', async () => {
    await i18n.changeLanguage('en');
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const user = userEvent.setup();
    renderWithApp(<InviteToPortalModal open contacts={[contact('k2', '李娜', null)]} contactId="k2" onClose={() => undefined} />);
    await user.click(await screen.findByTestId('portal-invite-submit'));
    expect(await screen.findByText('The contact has no email: enter the one they will sign in with')).toBeInTheDocument();
    await waitFor(() => expect(fetch).not.toHaveBeenCalled());
  }, 30_000);

  it("a masked email is not sent back: the input starts empty and the server uses the contact's email on file", async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const bodies: unknown[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      bodies.push(await req.json());
      return json(422, { type: '/problems/validation', title: '校验失败', status: 422, detail: '停在这里', errors: [] });
    }));
    const user = userEvent.setup();
    const masked = { ...contact('k1', '王伟', 'w***@example.cn'), masked: ['email'] } as Contact;
    renderWithApp(<InviteToPortalModal open contacts={[masked]} contactId="k1" onClose={() => undefined} />);
    const email = await screen.findByTestId('portal-invite-email');
    expect(email).toHaveValue('');
    expect(email).toHaveAttribute('placeholder', 'w***@example.cn');
    expect(screen.getByText('留空则使用联系人登记的邮箱（已脱敏显示），客户用它登录。')).toBeInTheDocument();
    await user.click(screen.getByTestId('portal-invite-submit'));
    await waitFor(() => expect(bodies).toEqual([{ contact_id: 'k1', sees_company_tickets: false }]));
  }, 30_000);
});

