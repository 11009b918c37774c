import { App, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Session } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { DeleteLink } from '../../ui/RowActions';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { describeDevice } from './device';
import { useLogout } from './useSession';
import { useEndSession, useSessions, type SessionOwner } from './useSessions';

/** A session's device in a few words, the whole user agent on hover. */
function DeviceText({ userAgent }: { userAgent: string | null | undefined }) {
  const { t } = useTranslation();
  const device = describeDevice(userAgent);
  if (!device) return <Typography.Text type="secondary">{t('session.unknownDevice')}</Typography.Text>;
  const text = device.browser && device.os ? t('session.browserOn', { browser: device.browser, os: device.os }) : (device.browser ?? device.os);
  return (
    <Tooltip title={userAgent}>
      <span data-testid="session-device">{text}</span>
    </Tooltip>
  );
}

/**
 * Someone's live sessions: device, address, when signed in and last active, which one this is, and
 * "End" on each (asking first). Ending the session this page runs in signs out, as "sign out" does.
 */
export function SessionsTable({ owner, compact = false }: { owner: SessionOwner | null; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const sessions = useSessions(owner);
  const end = useEndSession(owner);
  const logout = useLogout();
  const writeFailed = useWriteFailed(() => void sessions.refetch());

  const ended = (s: Session) => {
    if (s.current) {
      logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) });
      return;
    }
    void message.success(t('session.ended'));
  };

  if (sessions.isError && !sessions.data) return <ErrorResult error={sessions.error} onRetry={() => void sessions.refetch()} />;
  return (
    <CursorTable<Session>
      query={sessions}
      compact={compact}
      data-testid="sessions-table"
      locale={{ emptyText: t('session.none') }}
      columns={[
        {
          title: t('session.device'),
          key: 'device',
          render: (_: unknown, s: Session) => (
            <span>
              <DeviceText userAgent={s.user_agent} />
              {s.current && (
                <Tag color="green" style={{ marginInlineStart: 8 }} data-testid="session-current">
                  {t('session.current')}
                </Tag>
              )}
            </span>
          ),
        },
        { title: t('session.ip'), key: 'ip', render: (_: unknown, s: Session) => s.ip ?? '—' },
        { title: t('session.signedInAt'), key: 'created', render: (_: unknown, s: Session) => formatDateTime(s.created_at, i18n.language) },
        { title: t('session.lastActive'), key: 'last_active', render: (_: unknown, s: Session) => formatDateTime(s.last_active_at, i18n.language) },
        {
          title: t('common.actions'),
          key: 'actions',
          render: (_: unknown, s: Session) => (
            <DeleteLink
              confirm={s.current ? t('session.endCurrentConfirm') : t('session.endConfirm')}
              label={t('session.end')}
              confirmButton={{ danger: true, testId: 'session-end-confirm' }}
              onConfirm={() => end.mutate(s, { onSuccess: ended, onError: writeFailed })}
              data-testid="session-end"
            />
          ),
        },
      ]}
    />
  );
}
