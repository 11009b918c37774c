import { Tag } from 'antd';
import { CheckCircleOutlined, CloseCircleOutlined, StopOutlined } from '@ant-design/icons';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { OrderStatus, Stage, StageKind } from '../../api/types';

export const STAGE_KIND_COLORS: Record<StageKind, string> = { open: 'processing', won: 'success', lost: 'error' };

/** An opportunity's stage: its name, coloured by whether it is open, won or lost. */
export function OpportunityStageTag({ stage }: { stage: Pick<Stage, 'name' | 'kind' | 'key'> & { retired?: boolean } }) {
  const icon = stage.kind === 'won' ? <CheckCircleOutlined /> : stage.kind === 'lost' ? <CloseCircleOutlined /> : stage.retired ? <StopOutlined /> : undefined;
  return (
    <Tag color={STAGE_KIND_COLORS[stage.kind] ?? 'default'} icon={icon} data-testid="opportunity-stage-tag" data-stage-key={stage.key}>
      {stage.name}
    </Tag>
  );
}

export function StageKindTag({ kind }: { kind: StageKind }) {
  const { t } = useTranslation();
  return <Tag color={STAGE_KIND_COLORS[kind] ?? 'default'}>{t(`stageKind.${kind}`)}</Tag>;
}

/** A span of seconds in words, its two largest units: "3天4小时", "2 d 5 h", "<1 min". */
export function humanizeSeconds(seconds: number | null | undefined, t: TFunction): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return t('duration.lessThanMinute');
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  const parts: string[] = [];
  if (days > 0) parts.push(t('duration.days', { n: days }));
  if (hours > 0) parts.push(t('duration.hours', { n: hours }));
  if (minutes > 0 && days === 0) parts.push(t('duration.minutes', { n: minutes }));
  return parts.slice(0, 2).join(' ');
}

/** Seconds from an RFC 3339 time until now. */
export function secondsSince(iso: string, now = Date.now()): number {
  return Math.max(0, (now - new Date(iso).getTime()) / 1000);
}

export const ORDER_STATUS_COLORS: Record<OrderStatus, string> = {
  draft: 'default',
  confirmed: 'processing',
  fulfilled: 'success',
  cancelled: 'warning',
  refunded: 'error',
};

export function OrderStatusTag({ status }: { status: OrderStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={ORDER_STATUS_COLORS[status] ?? 'default'} data-testid="order-status" data-status={status}>
      {t(`orderStatus.${status}`)}
    </Tag>
  );
}
