import { Tag, Tooltip } from 'antd';
import { CheckCircleOutlined, ClockCircleOutlined, ExclamationCircleOutlined, PauseCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { TicketKind, TicketStatus } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { clockInfo, SLA_COLORS, slaLabel, slaSummary, type SlaClock, type SlaState, type SlaTicket } from './sla';
import type { Schedule } from './slaClock';

export const TICKET_STATUS_COLORS: Record<TicketStatus, string> = {
  new: 'blue',
  in_progress: 'processing',
  waiting_customer: 'gold',
  resolved: 'success',
  closed: 'default',
};

export function TicketStatusTag({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={TICKET_STATUS_COLORS[status] ?? 'default'} data-testid="ticket-status" data-status={status}>
      {t(`ticketStatus.${status}`)}
    </Tag>
  );
}

export function TicketKindTag({ kind }: { kind: TicketKind }) {
  const { t } = useTranslation();
  return <Tag color={kind === 'complaint' ? 'volcano' : kind === 'incident' ? 'magenta' : undefined}>{t(`ticketKind.${kind}`)}</Tag>;
}

const SLA_ICONS: Record<SlaState, React.ReactNode> = {
  on_track: <ClockCircleOutlined />,
  at_risk: <WarningOutlined />,
  breached: <ExclamationCircleOutlined />,
  paused: <PauseCircleOutlined />,
  met: <CheckCircleOutlined />,
  stopped: undefined,
};

interface BadgeProps {
  ticket: SlaTicket;
  /** The time to measure at (ms); the caller ticks it so the badge counts down. */
  now: number;
  /** The ticket's SLA policy clock, when known: without it there is no at-risk warning. */
  schedule?: Schedule;
  /** One clock; without it, the queue's summary (the clock that runs next, any breach first). */
  clock?: SlaClock;
}

/** The SLA badge: "2h 15m left" (amber when 80 % is gone), "breached" in red, "paused" in grey. */
export function SlaBadge({ ticket, now, schedule, clock }: BadgeProps) {
  const { t, i18n } = useTranslation();
  const info = clock ? clockInfo(ticket, clock, now, schedule) : slaSummary(ticket, now, schedule);
  const tip = [
    t(`sla.clock.${info.clock}`),
    `${t('sla.dueAt')}: ${formatDateTime(info.dueAt, i18n.language)}`,
    ...(info.percent !== null ? [t('sla.elapsed', { percent: Math.min(info.percent, 100) })] : []),
  ].join(' · ');
  return (
    <Tooltip title={tip}>
      <Tag color={SLA_COLORS[info.state]} icon={SLA_ICONS[info.state]} data-testid="sla-badge" data-state={info.state} data-clock={info.clock}>
        {slaLabel(info, t)}
      </Tag>
    </Tooltip>
  );
}
