import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { useDocumentTitle } from '../ui/documentTitle';
import { moduleForPath } from './modules';

export function NotFound() {
  const { t } = useTranslation();
  const module = moduleForPath(useLocation().pathname)?.key;
  useDocumentTitle(t('common.notFound'), module && t(`nav.${module}`));
  return (
    <Result
      status="404"
      title={t('common.notFound')}
      extra={<Link to="/"><Button type="primary">{t('common.backHome')}</Button></Link>}
    />
  );
}
