import { Typography } from 'antd';
import { CheckCircleOutlined, ClockCircleOutlined, MessageOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { PortalTicket } from '../../../api/types';
import { formatDateTime } from '../../../i18n/format';
import { portalProgress } from './ticketWording';

/** "We will answer by …", "We aim to solve it by …", "We are waiting for your reply", "Solved on …". */
export function ProgressLine({ ticket, now = Date.now() }: { ticket: PortalTicket; now?: number }) {
  const { t, i18n } = useTranslation();
  const p = portalProgress(ticket, now);
  const time = 'at' in p && p.at ? formatDateTime(p.at, i18n.language) : '';
  const icon = p.key === 'waitingForYou' ? <MessageOutlined /> : p.key === 'solvedOn' || p.key === 'closedOn' ? <CheckCircleOutlined /> : <ClockCircleOutlined />;
  const type = p.key === 'waitingForYou' ? 'warning' : p.key === 'solvedOn' ? 'success' : undefined;
  return (
    <Typography.Text type={type} className="portal-progress" data-testid="portal-progress" data-key={p.key}>
      {icon} {t(`portal.progress.${p.key}`, { time })}
    </Typography.Text>
  );
}
