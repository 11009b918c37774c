import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Radio, Space, Spin, Tag, Typography } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { isProblemError } from '../../api/problem';
import type { TwoFactorSetup } from '../../api/types';
import { useDocumentTitle } from '../../ui/documentTitle';
import { fieldErrorText, problemText } from '../../ui/problemText';
import { RecoveryCodes } from './RecoveryCodes';
import { CodeInput, TwoFactorEnrol, codeRules } from './TwoFactorEnrol';
import { useMe } from './useSession';
import { useRecoveryCodesRegenerate, useTwoFactorDisable, useTwoFactorEnable, useTwoFactorSetup } from './useTwoFactor';

/** A failed request's sentence: its first field's message when a field was wrong, else the problem's. */
export function useErrorText(): (error: unknown) => string {
  const { i18n } = useTranslation();
  return (error) => {
    const field = isProblemError(error) ? error.fieldErrors[0] : undefined;
    return field ? fieldErrorText(field, i18n) : problemText(error, i18n);
  };
}

/** "Two-factor authentication": enrol with an authenticator app, recovery codes, turning it off. */
export default function TwoFactorPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('twoFactor.title'));
  const { data: me } = useMe();
  const [codes, setCodes] = useState<string[] | null>(null);
  if (!me) return <Spin />;
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>
          <SafetyCertificateOutlined /> {t('twoFactor.title')}
        </Typography.Title>
        <Tag color={me.two_factor_enabled ? 'green' : 'default'} data-testid="two-factor-status">
          {me.two_factor_enabled ? t('twoFactor.on') : t('twoFactor.off')}
        </Tag>
      </div>
      <Typography.Paragraph type="secondary">{t('twoFactor.intro')}</Typography.Paragraph>
      {me.two_factor_required && <Alert type="info" showIcon title={t('twoFactor.requiredByRole')} style={{ marginBottom: 16 }} />}
      {codes ? (
        <Card title={t('twoFactor.codesTitle')}>
          <RecoveryCodes codes={codes} />
          <Button type="primary" style={{ marginTop: 12 }} onClick={() => setCodes(null)} data-testid="recovery-codes-done">{t('twoFactor.savedCodes')}</Button>
        </Card>
      ) : me.two_factor_enabled ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Regenerate onCodes={setCodes} />
          {!me.two_factor_required && <Disable />}
        </Space>
      ) : (
        <Enrol onCodes={setCodes} />
      )}
    </div>
  );
}

function Enrol({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const start = useTwoFactorSetup();
  const enable = useTwoFactorEnable();
  const [setup, setSetup] = useState<TwoFactorSetup | null>(null);
  if (!setup) {
    return (
      <Card>
        {start.error && <Alert type="error" showIcon title={errorText(start.error)} style={{ marginBottom: 12 }} />}
        <Button type="primary" loading={start.isPending} onClick={() => start.mutate(undefined, { onSuccess: setSetup })} data-testid="two-factor-start">
          {t('twoFactor.start')}
        </Button>
      </Card>
    );
  }
  return (
    <Card title={t('twoFactor.enrolTitle')}>
      <TwoFactorEnrol
        setup={setup}
        pending={enable.isPending}
        error={enable.error ? errorText(enable.error) : null}
        onConfirm={(code) => enable.mutate(code, { onSuccess: (data) => onCodes(data.recovery_codes) })}
      />
    </Card>
  );
}

function Regenerate({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const regenerate = useRecoveryCodesRegenerate();
  return (
    <Card title={t('twoFactor.regenerateTitle')}>
      <Typography.Paragraph type="secondary">{t('twoFactor.regenerateIntro')}</Typography.Paragraph>
      <Form layout="inline" requiredMark={false} onFinish={(v: { code: string }) => regenerate.mutate(v.code.replace(/\s/g, ''), { onSuccess: (d) => onCodes(d.recovery_codes) })}>
        <Form.Item name="code" label={t('twoFactor.code')} rules={codeRules(t('twoFactor.codeFormat'))}
          validateStatus={regenerate.error ? 'error' : undefined} help={regenerate.error ? errorText(regenerate.error) : undefined}>
          <CodeInput testId="regenerate-code" autoFocus={false} />
        </Form.Item>
        <Button htmlType="submit" loading={regenerate.isPending} data-testid="regenerate-submit">{t('twoFactor.regenerate')}</Button>
      </Form>
    </Card>
  );
}

function Disable() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const disable = useTwoFactorDisable();
  const [by, setBy] = useState<'password' | 'code'>('password');
  const onFinish = (v: { secret: string }) =>
    disable.mutate(by === 'password' ? { password: v.secret } : { code: v.secret.replace(/\s/g, '') }, {
      onSuccess: () => void message.success(t('twoFactor.disabled')),
    });
  return (
    <Card title={t('twoFactor.disableTitle')}>
      <Typography.Paragraph type="secondary">{t('twoFactor.disableIntro')}</Typography.Paragraph>
      <Radio.Group value={by} onChange={(e) => setBy(e.target.value as 'password' | 'code')} style={{ marginBottom: 12 }}>
        <Radio value="password">{t('twoFactor.withPassword')}</Radio>
        <Radio value="code">{t('twoFactor.withCode')}</Radio>
      </Radio.Group>
      <Form layout="inline" requiredMark={false} onFinish={onFinish} key={by}>
        <Form.Item name="secret" label={by === 'password' ? t('auth.password') : t('twoFactor.code')}
          rules={by === 'password' ? [{ required: true, message: t('validation.required') }] : codeRules(t('twoFactor.codeFormat'))}
          validateStatus={disable.error ? 'error' : undefined} help={disable.error ? errorText(disable.error) : undefined}>
          {by === 'password' ? <Input.Password autoComplete="current-password" data-testid="disable-password" /> : <CodeInput testId="disable-code" autoFocus={false} />}
        </Form.Item>
        <Button danger htmlType="submit" loading={disable.isPending} data-testid="disable-submit">{t('twoFactor.disable')}</Button>
      </Form>
    </Card>
  );
}
