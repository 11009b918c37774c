import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useDocumentTitle } from '../../ui/documentTitle';
import { SessionsTable } from './SessionsTable';

const ME = { me: true } as const;

/** "My sessions": where the signed-in user is signed in, and ending a session from elsewhere. */
export default function MySessions() {
  const { t } = useTranslation();
  useDocumentTitle(t('session.mine'));
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>{t('session.mine')}</Typography.Title>
      </div>
      <Typography.Paragraph type="secondary">{t('session.intro')}</Typography.Paragraph>
      <SessionsTable owner={ME} />
    </div>
  );
}
