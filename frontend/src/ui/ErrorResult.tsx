import type { ReactNode } from 'react';
import { Button, Result, Spin } from 'antd';
import type { UseQueryResult } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { isProblemError } from '../api/problem';
import { useProblemText } from './problemText';

/** A failed load: 404 reads as "not found", anything else offers a retry. */
export function ErrorResult({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const problemText = useProblemText();
  if (isProblemError(error) && error.status === 404) {
    return <Result status="404" title={t('common.notFound')} />;
  }
  if (isProblemError(error) && error.status === 403) {
    return <Result status="403" title={t('common.forbidden')} />;
  }
  return (
    <Result
      status="warning"
      title={t('common.loadFailed')}
      subTitle={error instanceof Error ? problemText(error) : undefined}
      extra={onRetry && <Button onClick={onRetry}>{t('common.retry')}</Button>}
    />
  );
}

/** A page or part that needs one query's data: a spinner while it loads, the failure with "retry", then `children` with the data. */
export function Loaded<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  if (query.isPending) return <Spin />;
  if (query.isError) return <ErrorResult error={query.error} onRetry={() => void query.refetch()} />;
  return children(query.data);
}
