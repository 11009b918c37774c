import { useEffect, type ReactNode } from 'react';
import { Button, Result, Spin } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { tokenStore } from '../../api/tokens';
import { useProblemText } from '../../ui/problemText';
import { loginPath } from './next';
import { useMe, useSignedIn, useSilentRefresh } from './useSession';

/** Drops cached server data when the session ends; the redirect to sign-in follows from `useSignedIn`. */
function useForgetOnExpiry() {
  const qc = useQueryClient();
  useEffect(
    () =>
      tokenStore.subscribe((event) => {
        if (event === 'expired') qc.clear();
      }),
    [qc],
  );
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const problemText = useProblemText();
  const signedIn = useSignedIn();
  const location = useLocation();
  const me = useMe();
  useSilentRefresh();
  useForgetOnExpiry();

  if (!signedIn) {
    // back to sign-in, remembering where the user was (and saying why when the session expired)
    const here = `${location.pathname}${location.search}`;
    return <Navigate to={loginPath(here, tokenStore.expired() ? 'expired' : undefined)} replace />;
  }
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
        subTitle={problemText(me.error)}
        extra={<Button onClick={() => void me.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  return <>{children}</>;
}
