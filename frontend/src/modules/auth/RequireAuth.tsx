import { useEffect, type ReactNode } from 'react';
import { Button, Result, Spin } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { tokenStore } from '../../api/tokens';
import { loginPath } from './next';
import { useMe, useSignedIn, useSilentRefresh } from './useSession';

/** Listens for an expired session and returns to sign-in, remembering where the user was. */
function useExpiryRedirect() {
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const here = `${location.pathname}${location.search}`;
  useEffect(
    () =>
      tokenStore.subscribe((event) => {
        if (event !== 'expired') return;
        qc.clear();
        navigate(loginPath(here, 'expired'), { replace: true });
      }),
    [navigate, qc, here],
  );
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const location = useLocation();
  const me = useMe();
  useSilentRefresh();
  useExpiryRedirect();

  if (!signedIn) return <Navigate to={loginPath(`${location.pathname}${location.search}`)} replace />;
  if (me.isPending) {
    return (
      <div className="full-center">
        <Spin size="large" />
      </div>
    );
  }
  if (me.isError) {
    return (
      <Result
        status="warning"
        title={t('common.loadFailed')}
        subTitle={me.error.message}
        extra={<Button onClick={() => void me.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  return <>{children}</>;
}
