import { Tag } from 'antd';
import {
  CommentOutlined, EditOutlined, MailOutlined, MessageOutlined, MobileOutlined, PhoneOutlined, TeamOutlined, WechatOutlined, CarOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Channel, TaskPriority, TaskStatus } from '../../api/types';

export const CHANNEL_ICONS: Record<Channel, React.ReactNode> = {
  phone: <PhoneOutlined />,
  email: <MailOutlined />,
  visit: <CarOutlined />,
  meeting: <TeamOutlined />,
  wechat: <WechatOutlined />,
  sms: <MobileOutlined />,
  chat: <MessageOutlined />,
  note: <EditOutlined />,
};

export function channelIcon(channel: string): React.ReactNode {
  return CHANNEL_ICONS[channel as Channel] ?? <CommentOutlined />;
}

export function ChannelTag({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  return (
    <Tag icon={channelIcon(channel)} data-testid="channel-tag">
      {t(`channel.${channel}`)}
    </Tag>
  );
}

export const PRIORITY_COLORS: Record<TaskPriority, string> = { low: 'default', normal: 'blue', high: 'orange', urgent: 'red' };

export function PriorityTag({ priority }: { priority: TaskPriority }) {
  const { t } = useTranslation();
  return (
    <Tag color={PRIORITY_COLORS[priority] ?? 'default'} data-testid="priority-tag">
      {t(`priority.${priority}`)}
    </Tag>
  );
}

export const STATUS_COLORS: Record<TaskStatus, string> = { open: 'processing', done: 'success', cancelled: 'default' };

export function TaskStatusTag({ status }: { status: TaskStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status] ?? 'default'} data-testid="task-status">
      {t(`taskStatus.${status}`)}
    </Tag>
  );
}
