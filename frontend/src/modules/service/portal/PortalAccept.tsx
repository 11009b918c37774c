import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Result, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { isProblemError } from '../../../api/problem';
import { hasCode, useProblemText } from '../../../ui/problemText';
import { useDocumentTitle } from '../../../ui/documentTitle';
import { LanguageSwitch } from '../../../ui/LanguageSwitch';
import { usePortalAcceptInvitation } from './usePortalSession';

export const PORTAL_PASSWORD_MIN = 10;

/** The invitation page (`/portal/accept?token=…`): the customer chooses a password (twice) and is signed in. */
export default function PortalAccept() {
  const { t } = useTranslation();
  const problemText = useProblemText();
  useDocumentTitle(t('portal.accept.title'));
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const accept = usePortalAcceptInvitation();
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<{ password: string; confirm: string }>();
  const token = params.get('token')?.trim() ?? '';

  if (!token) {
    return (
      <div className="portal-auth-page">
        <Result status="warning" title={t('portal.accept.noToken')} extra={<Link to="/portal/login">{t('portal.accept.toSignIn')}</Link>} />
      </div>
    );
  }

  const onFinish = (v: { password: string; confirm: string }) => {
    setError(null);
    accept.mutate(
      { token, password: v.password },
      {
        onSuccess: () => navigate('/portal', { replace: true }),
        onError: (e) => {
          if (hasCode(e, 'portal.invitation_invalid')) setError(t('portal.accept.invalid'));
          else if (isProblemError(e) && e.status === 422) {
            const field = e.fieldErrors.find((f) => f.field === 'password');
            if (field) form.setFields([{ name: 'password', errors: [t('portal.accept.tooShort', { min: PORTAL_PASSWORD_MIN })] }]);
            else setError(problemText(e));
          } else setError(problemText(e));
        },
      },
    );
  };

  return (
    <div className="portal-auth-page">
      <Card
        className="portal-auth-card"
        title={<Typography.Title level={3} style={{ margin: 0 }}>{t('portal.accept.title')}</Typography.Title>}
        extra={<LanguageSwitch />}
      >
        <Typography.Paragraph type="secondary">{t('portal.accept.intro', { min: PORTAL_PASSWORD_MIN })}</Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="portal-accept-error" />}
        <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
          <Form.Item
            name="password"
            label={t('portal.accept.password')}
            rules={[
              { required: true, message: t('validation.required') },
              { min: PORTAL_PASSWORD_MIN, message: t('portal.accept.tooShort', { min: PORTAL_PASSWORD_MIN }) },
              { max: 1024 },
            ]}
            hasFeedback
          >
            <Input.Password autoComplete="new-password" autoFocus data-testid="portal-accept-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={t('portal.accept.confirm')}
            dependencies={['password']}
            hasFeedback
            rules={[
              { required: true, message: t('validation.required') },
              ({ getFieldValue }) => ({
                validator: (_r, value?: string) =>
                  !value || value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('portal.accept.mismatch'))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="portal-accept-confirm" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={accept.isPending} data-testid="portal-accept-submit">
            {t('portal.accept.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
