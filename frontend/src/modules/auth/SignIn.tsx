import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import type { TokenResponse, TwoFactorChallenge } from '../../api/types';
import { RecoveryCodes } from './RecoveryCodes';
import { CodeInput, TwoFactorEnrol, codeRules } from './TwoFactorEnrol';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { isProblemError } from '../../api/problem';
import { hasCode, useProblemText } from '../../ui/problemText';
import { useDocumentTitle } from '../../ui/documentTitle';
import { LanguageSwitch } from '../../ui/LanguageSwitch';
import { safeNext } from './next';
import { isChallenge, useLogin, useLoginTwoFactor, useSignedIn } from './useSession';

export default function SignIn() {
  const { t } = useTranslation();
  const problemText = useProblemText();
  useDocumentTitle(t('auth.signIn'));
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const login = useLogin();
  const second = useLoginTwoFactor();
  const signedIn = useSignedIn();
  const [error, setError] = useState<string | null>(null);
  // after the password: the challenge to answer; after an enrolment: the codes to keep
  const [challenge, setChallenge] = useState<TwoFactorChallenge | null>(null);
  const [enrolled, setEnrolled] = useState<TokenResponse | null>(null);
  const [useRecovery, setUseRecovery] = useState(false);
  const next = safeNext(params.get('next'));

  if (signedIn && !login.isPending && !second.isPending) return <Navigate to={next} replace />;

  const explain = (e: unknown) => {
    if (isProblemError(e) && e.status === 429) {
      setError(t('auth.tooManyAttempts', { seconds: e.retryAfter ?? 60 }));
    } else if (hasCode(e, 'auth.invalid_credentials')) {
      setError(t('auth.badCredentials'));
    } else if (hasCode(e, 'auth.two_factor_invalid')) {
      setError(t('twoFactor.invalid'));
    } else if (hasCode(e, 'auth.challenge_invalid')) {
      setChallenge(null);
      setError(t('twoFactor.challengeExpired'));
    } else {
      setError(problemText(e));
    }
  };

  const onFinish = (values: { email: string; password: string }) => {
    setError(null);
    login.mutate(values, {
      onSuccess: (data) => {
        if (isChallenge(data)) setChallenge(data);
        else navigate(next, { replace: true });
      },
      onError: explain,
    });
  };

  const answer = (proof: { code: string } | { recovery_code: string }) => {
    if (!challenge) return;
    setError(null);
    second.mutate({ challenge: challenge.challenge, ...proof }, {
      onSuccess: (data) => {
        if (data.recovery_codes && data.recovery_codes.length > 0) {
          setEnrolled(data);
        } else {
          second.start(data);
          navigate(next, { replace: true });
        }
      },
      onError: explain,
    });
  };

  const finishEnrolment = () => {
    if (!enrolled) return;
    second.start(enrolled);
    navigate(next, { replace: true });
  };

  return (
    <div className="signin-page">
      <Card className="signin-card" title={<Typography.Title level={3} style={{ margin: 0 }}>{t('app.name')}</Typography.Title>} extra={<LanguageSwitch />}>
        {params.get('reason') === 'expired' && (
          <Alert type="warning" showIcon title={t('auth.sessionExpired')} style={{ marginBottom: 16 }} data-testid="session-expired" />
        )}
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="signin-error" />}
        {enrolled ? (
          <div data-testid="signin-enrolled">
            <Typography.Paragraph>{t('twoFactor.enrolledAtSignIn')}</Typography.Paragraph>
            <RecoveryCodes codes={enrolled.recovery_codes ?? []} />
            <Button type="primary" block style={{ marginTop: 12 }} onClick={finishEnrolment} data-testid="signin-continue">{t('twoFactor.savedCodes')}</Button>
          </div>
        ) : challenge?.setup ? (
          <div data-testid="signin-enrol">
            <Alert type="info" showIcon title={t('twoFactor.setupRequired')} style={{ marginBottom: 12 }} />
            <TwoFactorEnrol setup={challenge.setup} pending={second.isPending} onConfirm={(code) => answer({ code })} />
          </div>
        ) : challenge ? (
          <Form layout="vertical" requiredMark={false} key={useRecovery ? 'recovery' : 'code'}
            onFinish={(v: { value: string }) => answer(useRecovery ? { recovery_code: v.value.trim() } : { code: v.value.replace(/\s/g, '') })}>
            <Typography.Paragraph>{useRecovery ? t('twoFactor.enterRecovery') : t('twoFactor.enterCode')}</Typography.Paragraph>
            {useRecovery ? (
              <Form.Item name="value" label={t('twoFactor.recoveryCode')} rules={[{ required: true, message: t('validation.required') }]}>
                <Input autoFocus autoComplete="off" data-testid="signin-recovery-code" />
              </Form.Item>
            ) : (
              <Form.Item name="value" label={t('twoFactor.code')} rules={codeRules(t('twoFactor.codeFormat'))}>
                <CodeInput testId="signin-code" />
              </Form.Item>
            )}
            <Button type="primary" htmlType="submit" block loading={second.isPending} data-testid="signin-code-submit">
              {t('twoFactor.verify')}
            </Button>
            <Button type="link" block onClick={() => setUseRecovery(!useRecovery)} data-testid="signin-toggle-recovery">
              {useRecovery ? t('twoFactor.useCode') : t('twoFactor.useRecovery')}
            </Button>
          </Form>
        ) : (
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
        )}
      </Card>
    </div>
  );
}
