import { Button, Form, Input, QRCode, Space, Typography, type InputProps } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TwoFactorSetup } from '../../api/types';

/** The six-digit code field, shared by enrolment, sign-in and the page's confirmations. */
export function CodeInput({ testId = 'two-factor-code', autoFocus = true, ...rest }: { testId?: string; autoFocus?: boolean } & InputProps) {
  // `rest` carries the value and onChange of the Form.Item around it
  return <Input {...rest} inputMode="numeric" autoComplete="one-time-code" maxLength={7} autoFocus={autoFocus} style={{ maxWidth: 200 }} data-testid={testId} />;
}

export const codeRules = (message: string) => [{ required: true, pattern: /^\s*\d{3}\s?\d{3}\s*$/, message }];

/**
 * Adding a new secret to an authenticator app: its QR code and the secret to type by hand, then a
 * code from the app to confirm.
 */
export function TwoFactorEnrol({ setup, onConfirm, pending, error }: {
  setup: TwoFactorSetup;
  onConfirm: (code: string) => void;
  pending: boolean;
  error?: string | null;
}) {
  const { t } = useTranslation();
  return (
    <div data-testid="two-factor-enrol">
      <Typography.Paragraph>{t('twoFactor.scan')}</Typography.Paragraph>
      <Space align="start" wrap size="large">
        <QRCode value={setup.otpauth_uri} size={180} data-testid="two-factor-qr" />
        <div>
          <Typography.Text type="secondary">{t('twoFactor.typeSecret')}</Typography.Text>
          <Typography.Paragraph copyable={{ text: setup.secret }} code data-testid="two-factor-secret" style={{ wordBreak: 'break-all' }}>
            {setup.secret}
          </Typography.Paragraph>
        </div>
      </Space>
      <Form layout="vertical" requiredMark={false} onFinish={(v: { code: string }) => onConfirm(v.code.replace(/\s/g, ''))} style={{ marginTop: 16 }}>
        <Form.Item name="code" label={t('twoFactor.code')} rules={codeRules(t('twoFactor.codeFormat'))} validateStatus={error ? 'error' : undefined} help={error ?? undefined}>
          <CodeInput />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={pending} data-testid="two-factor-confirm">{t('twoFactor.confirm')}</Button>
      </Form>
    </div>
  );
}
