import { useState } from 'react';
import { Badge, Button, Empty, Popover, Segmented, Space, Spin, Typography } from 'antd';
import {
  BellOutlined, ClockCircleOutlined, CustomerServiceOutlined, ExclamationCircleOutlined, InfoCircleOutlined, ScheduleOutlined, WarningOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { NOTIFICATION_KINDS, type Notification } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { LoadMore, useCursorRows } from '../../ui/CursorTable';
import { useMarkAllRead, useMarkRead, useNotificationList, useUnreadCount } from './useNotifications';

const isKnownKind = (k: string): k is (typeof NOTIFICATION_KINDS)[number] => (NOTIFICATION_KINDS as readonly string[]).includes(k);

function KindIcon({ kind }: { kind: string }) {
  const { t } = useTranslation();
  const label = isKnownKind(kind) ? t(`notification.kind.${kind}`) : kind;
  const icon =
    kind === 'task_overdue' || kind === 'sla_breached' || kind === 'webhook_disabled' ? <ExclamationCircleOutlined style={{ color: '#ff4d4f' }} />
      : kind === 'sla_at_risk' ? <WarningOutlined style={{ color: '#fa8c16' }} />
      : kind === 'ticket_assigned' ? <CustomerServiceOutlined style={{ color: '#1677ff' }} />
      : kind === 'task_due' ? <ClockCircleOutlined style={{ color: '#fa8c16' }} />
        : kind === 'task_assigned' ? <ScheduleOutlined style={{ color: '#1677ff' }} />
          : <InfoCircleOutlined />;
  return (
    <span role="img" aria-label={label} title={label} style={{ fontSize: 16, lineHeight: '22px' }}>
      {icon}
    </span>
  );
}

/** Where clicking a notification leads; null when it names nothing the app can open. */
export function notificationTarget(n: Pick<Notification, 'entity_type' | 'entity_id' | 'kind'>): string | null {
  if (n.entity_type === 'task' || n.kind.startsWith('task_')) {
    return n.entity_id ? `/activities/tasks?task=${encodeURIComponent(n.entity_id)}` : '/activities/tasks';
  }
  if (n.entity_type === 'customer' && n.entity_id) return `/customers/${n.entity_id}`;
  if (n.entity_type === 'ticket' && n.entity_id) return `/service/tickets/${n.entity_id}`;
  if (n.entity_type === 'webhook') return '/settings/webhooks';
  return null;
}

function Panel({ onNavigate }: { onNavigate: (to: string) => void }) {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState<'unread' | 'all'>('unread');
  const list = useNotificationList(filter === 'unread', true);
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const items = useCursorRows(list);

  const open = (n: Notification) => {
    if (!n.read_at) markRead.mutate(n);
    const to = notificationTarget(n);
    if (to) onNavigate(to);
  };

  return (
    <div style={{ width: 360, maxWidth: 'calc(100vw - 32px)' }} data-testid="notification-panel">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 8 }}>
        <Segmented<'unread' | 'all'>
          size="small"
          value={filter}
          onChange={setFilter}
          options={[
            { value: 'unread', label: t('notification.unread') },
            { value: 'all', label: t('notification.all') },
          ]}
          data-testid="notification-filter"
        />
        <Button size="small" type="link" loading={markAll.isPending} onClick={() => markAll.mutate()} data-testid="notification-read-all">
          {t('notification.markAllRead')}
        </Button>
      </div>
      {list.isPending ? (
        <div style={{ textAlign: 'center', padding: 16 }}>
          <Spin />
        </div>
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notification.empty')} />
      ) : (
        <div style={{ maxHeight: 400, overflowY: 'auto' }}>
          {items.map((n) => (
            <div
              key={n.id}
              role="button"
              tabIndex={0}
              className={`notification-item${n.read_at ? '' : ' notification-unread'}`}
              onClick={() => open(n)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') open(n);
              }}
              data-testid="notification-item"
              data-unread={n.read_at ? undefined : 'true'}
              data-entity={n.entity_type ?? undefined}
            >
              <KindIcon kind={n.kind} />
              <Space orientation="vertical" size={0} style={{ minWidth: 0, flex: 1 }}>
                <Typography.Text strong={!n.read_at}>{n.title}</Typography.Text>
                {n.body && <Typography.Text type="secondary" ellipsis style={{ maxWidth: 260 }}>{n.body}</Typography.Text>}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatDateTime(n.created_at, i18n.language)}</Typography.Text>
              </Space>
              {!n.read_at && (
                <Button
                  size="small"
                  type="link"
                  onClick={(e) => {
                    e.stopPropagation();
                    markRead.mutate(n);
                  }}
                  data-testid="notification-read"
                >
                  {t('notification.markRead')}
                </Button>
              )}
            </div>
          ))}
          <LoadMore query={list} compact size="small" />
        </div>
      )}
    </div>
  );
}

/** The header bell: the unread count (polled every minute) and a panel of notifications. */
export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const count = useUnreadCount();
  const [open, setOpen] = useState(false);
  const unread = count.data ?? 0;
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={setOpen}
      title={t('notification.title')}
      content={
        open ? (
          <Panel
            onNavigate={(to) => {
              setOpen(false);
              navigate(to);
            }}
          />
        ) : null
      }
      destroyOnHidden
    >
      <Button type="text" aria-label={t('notification.title')} data-testid="notification-bell">
        <Badge count={unread} size="small" overflowCount={99} data-testid="notification-count">
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      </Button>
    </Popover>
  );
}
