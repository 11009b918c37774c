import { Drawer, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { User } from '../../api/types';
import { SessionsTable } from '../auth/SessionsTable';

/** An administrator's view of where a user is signed in, ending any of those sessions. */
export function UserSessionsDrawer({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Drawer
      open={user !== null}
      onClose={onClose}
      size="large"
      title={t('session.userTitle', { name: user?.display_name ?? '' })}
      destroyOnHidden
      data-testid="user-sessions-drawer"
    >
      <Typography.Paragraph type="secondary">{t('session.userIntro')}</Typography.Paragraph>
      {user && <SessionsTable owner={{ userId: user.id }} compact />}
    </Drawer>
  );
}
