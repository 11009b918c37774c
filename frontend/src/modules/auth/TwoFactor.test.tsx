import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { adminMe, json, renderWithApp, Where } from '../../test/render';
import TwoFactorPage from './TwoFactorPage';
import SignIn from './SignIn';

afterEach(() => {
  vi.unstubAllGlobals();
  tokenStore.clear();
});

const CODES = Array.from({ length: 10 }, (_, i) => `aaaa-bbbb-cccc-000${i}`);
const SETUP = { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/CRM:admin%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=CRM' };

describe('Two-factor authentication page', () => {
  it('enrols with the QR code and a code, then shows the recovery codes once', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    let enabled = false;
    const sent: unknown[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, { ...adminMe, two_factor_enabled: enabled });
      if (url.pathname === '/api/v1/auth/2fa/setup') return json(200, SETUP);
      if (url.pathname === '/api/v1/auth/2fa/enable') {
        const body = (await req.json()) as { code: string };
        sent.push(body);
        if (body.code !== '123456') {
          return json(422, { title: 'Invalid', status: 422, code: 'validation', errors: [{ field: 'code', code: 'incorrect_code', message: '不是身份验证器当前显示的验证码' }] });
        }
        enabled = true;
        return json(200, { recovery_codes: CODES });
      }
      return json(404, { title: 'Not found', status: 404 });
    }));
    const user = userEvent.setup();
    renderWithApp(<TwoFactorPage />, { path: '/account/two-factor' });

    expect(await screen.findByRole('heading', { name: /两步验证/ })).toBeInTheDocument();
    expect(screen.getByTestId('two-factor-status')).toHaveTextContent('未开启');
    await user.click(screen.getByTestId('two-factor-start'));
    expect(await screen.findByTestId('two-factor-secret')).toHaveTextContent(SETUP.secret);
    expect(screen.getByTestId('two-factor-qr')).toBeInTheDocument();

    await user.type(screen.getByTestId('two-factor-code'), '654321');
    await user.click(screen.getByTestId('two-factor-confirm'));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(await screen.findByText('不是身份验证器当前显示的验证码')).toBeInTheDocument();

    await user.clear(screen.getByTestId('two-factor-code'));
    await user.type(screen.getByTestId('two-factor-code'), '123 456');
    await user.click(screen.getByTestId('two-factor-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('recovery-code')).toHaveLength(10));
    expect(sent.at(-1)).toEqual({ code: '123456' });
    expect(screen.getByText('恢复码只显示这一次，请妥善保存：每个恢复码可在没有手机时登录一次。')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('two-factor-status')).toHaveTextContent('已开启'));
    await user.click(screen.getByTestId('recovery-codes-done'));
    expect(screen.queryByTestId('recovery-codes')).not.toBeInTheDocument();
    expect(screen.getByTestId('regenerate-submit')).toBeInTheDocument();
    await i18n.changeLanguage('en');
  }, 60_000);

  it('hides turning off when the role requires it', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    vi.stubGlobal('fetch', vi.fn(async () => json(200, { ...adminMe, two_factor_enabled: true, two_factor_required: true })));
    renderWithApp(<TwoFactorPage />, { path: '/account/two-factor' });
    expect(await screen.findByText('Your role requires two-factor authentication, so it cannot be turned off.')).toBeInTheDocument();
    expect(screen.getByTestId('regenerate-submit')).toBeInTheDocument();
    expect(screen.queryByTestId('disable-submit')).not.toBeInTheDocument();
  });
});

describe('Sign-in with a second factor', () => {
  it('asks for the code after the password, tells a wrong one, and signs in with a recovery code', async () => {
    await i18n.changeLanguage('en');
    const answers: unknown[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/login') {
        return json(200, { two_factor_required: true, two_factor_setup_required: false, challenge: 'tfa_1', expires_at: '2030-01-01T00:00:00Z' });
      }
      if (url.pathname === '/api/v1/auth/login/2fa') {
        const body = (await req.json()) as { code?: string };
        answers.push(body);
        if (body.code) return json(401, { title: 'Unauthorized', status: 401, code: 'auth.two_factor_invalid' });
        return json(200, { access_token: 'new', refresh_token: 'r2', token_type: 'Bearer', expires_in: 900, user: adminMe });
      }
      return json(200, adminMe);
    }));
    const user = userEvent.setup();
    renderWithApp(<><SignIn /><Where /></>, { path: '/signin?next=/customers' });
    await user.type(screen.getByTestId('signin-email'), 'admin@example.com');
    await user.type(screen.getByTestId('signin-password'), 'right');
    await user.click(screen.getByTestId('signin-submit'));
    expect(await screen.findByText('Enter the six-digit code from your authenticator app.')).toBeInTheDocument();
    expect(tokenStore.get()).toBeNull();

    await user.type(screen.getByTestId('signin-code'), '000000');
    await user.click(screen.getByTestId('signin-code-submit'));
    expect(await screen.findByTestId('signin-error')).toHaveTextContent('The code is wrong, expired or already used.');

    await user.click(screen.getByTestId('signin-toggle-recovery'));
    await user.type(screen.getByTestId('signin-recovery-code'), 'aaaa-bbbb-cccc-dddd');
    await user.click(screen.getByTestId('signin-code-submit'));
    await waitFor(() => expect(tokenStore.get()?.accessToken).toBe('new'));
    expect(answers).toEqual([{ challenge: 'tfa_1', code: '000000' }, { challenge: 'tfa_1', recovery_code: 'aaaa-bbbb-cccc-dddd' }]);
  }, 60_000);
});
