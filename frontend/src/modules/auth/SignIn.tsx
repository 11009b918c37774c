import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { isProblemError } from '../../api/problem';
import { hasCode, useProblemText } from '../../ui/problemText';
import { useDocumentTitle } from '../../ui/documentTitle';
import { LanguageSwitch } from '../../ui/LanguageSwitch';
import { safeNext } from './next';
import { useLogin, useSignedIn } from './useSession';

export default function SignIn() {
  const { t } = useTranslation();
  const problemText = useProblemText();
  useDocumentTitle(t('auth.signIn'));
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const login = useLogin();
  const signedIn = useSignedIn();
  const [error, setError] = useState<string | null>(null);
  const next = safeNext(params.get('next'));

  if (signedIn && !login.isPending) return <Navigate to={next} replace />;

  const onFinish = (values: { email: string; password: string }) => {
    setError(null);
    login.mutate(values, {
      onSuccess: () => navigate(next, { replace: true }),
      onError: (e) => {
        if (isProblemError(e) && e.status === 429) {
          setError(t('auth.tooManyAttempts', { seconds: e.retryAfter ?? 60 }));
        } else if (hasCode(e, 'auth.invalid_credentials')) {
          setError(t('auth.badCredentials'));
        } else {
          setError(problemText(e));
        }
      },
    });
  };

  return (
    <div className="signin-page">
      <Card className="signin-card" title={<Typography.Title level={3} style={{ margin: 0 }}>{t('app.name')}</Typography.Title>} extra={<LanguageSwitch />}>
        {params.get('reason') === 'expired' && (
          <Alert type="warning" showIcon title={t('auth.sessionExpired')} style={{ marginBottom: 16 }} data-testid="session-expired" />
        )}
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="signin-error" />}
        <Form layout="vertical" onFinish={onFinish} requiredMark={false}>
          <Form.Item name="email" label={t('auth.email')} rules={[{ required: true, message: t('validation.required') }]}>
            <Input autoComplete="username" autoFocus data-testid="signin-email" />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('validation.required') }]}>
            <Input.Password autoComplete="current-password" data-testid="signin-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="signin-submit">
            {t('auth.signIn')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
