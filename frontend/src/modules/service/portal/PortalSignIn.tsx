import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { isProblemError } from '../../../api/problem';
import { hasCode, useProblemText } from '../../../ui/problemText';
import { useDocumentTitle } from '../../../ui/documentTitle';
import { LanguageSwitch } from '../../../ui/LanguageSwitch';
import { safePortalNext, usePortalLogin, usePortalSignedIn } from './usePortalSession';

/** The portal's sign-in page (`/portal/login`), apart from the staff sign-in. */
export default function PortalSignIn() {
  const { t } = useTranslation();
  const problemText = useProblemText();
  useDocumentTitle(t('auth.signIn'));
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const login = usePortalLogin();
  const signedIn = usePortalSignedIn();
  const [error, setError] = useState<string | null>(null);
  const next = safePortalNext(params.get('next'));

  if (signedIn && !login.isPending) return <Navigate to={next} replace />;

  const onFinish = (values: { email: string; password: string }) => {
    setError(null);
    login.mutate(
      { email: values.email.trim(), password: values.password },
      {
        onSuccess: () => navigate(next, { replace: true }),
        onError: (e) => {
          if (isProblemError(e) && e.status === 429) setError(t('auth.tooManyAttempts', { seconds: e.retryAfter ?? 60 }));
          else if (hasCode(e, 'auth.invalid_credentials')) setError(t('portal.signIn.wrong'));
          else setError(problemText(e));
        },
      },
    );
  };

  return (
    <div className="portal-auth-page">
      <Card
        className="portal-auth-card"
        title={<Typography.Title level={3} style={{ margin: 0 }}>{t('portal.brand')}</Typography.Title>}
        extra={<LanguageSwitch />}
      >
        <Typography.Paragraph type="secondary">{t('portal.signIn.intro')}</Typography.Paragraph>
        {params.get('reason') === 'expired' && (
          <Alert type="warning" showIcon title={t('portal.signIn.expired')} style={{ marginBottom: 16 }} data-testid="portal-session-expired" />
        )}
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="portal-signin-error" />}
        {/* noValidate: the browser's own bubble for type=email speaks the browser's language, not the page's */}
        <Form layout="vertical" onFinish={onFinish} requiredMark={false} noValidate>
          <Form.Item name="email" label={t('auth.email')} rules={[{ required: true, message: t('validation.required') }]}>
            <Input type="email" autoComplete="username" autoFocus data-testid="portal-signin-email" />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('validation.required') }]}>
            <Input.Password autoComplete="current-password" data-testid="portal-signin-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="portal-signin-submit">
            {t('auth.signIn')}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, fontSize: 13 }}>{t('portal.signIn.forgot')}</Typography.Paragraph>
      </Card>
    </div>
  );
}
