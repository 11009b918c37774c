import { useState } from 'react';
import { Empty, Space, Spin, Tag, Timeline, Typography } from 'antd';
import {
  CheckCircleOutlined, ClockCircleOutlined, CloseCircleOutlined, CustomerServiceOutlined, FundOutlined, RiseOutlined, ScheduleOutlined, ShoppingCartOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { LIFECYCLE_STAGES, TIMELINE_KINDS, type LifecycleStage, type TaskPriority, type TaskStatus, type TimelineEntry } from '../../api/types';
import { Link } from 'react-router';
import { formatDate, formatDateTime, formatMoney } from '../../i18n/format';
import { LoadMore, useCursorRows } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { channelIcon, PriorityTag, TaskStatusTag } from '../activities/labels';
import { useTimeline } from './useCustomers';

type Summary = Record<string, unknown>;
const str = (s: Summary, key: string): string | undefined => (typeof s[key] === 'string' ? (s[key] as string) : undefined);
const money = (s: Summary, key: string): { amount_minor: number; currency: string } | undefined => {
  const v = s[key] as { amount_minor?: unknown; currency?: unknown } | undefined;
  return v && typeof v.amount_minor === 'number' && typeof v.currency === 'string' ? { amount_minor: v.amount_minor, currency: v.currency } : undefined;
};
const STAGE_KIND_COLOR: Record<string, string> = { won: 'green', lost: 'red', open: 'blue' };
const isKnown = (kind: string): kind is (typeof TIMELINE_KINDS)[number] => (TIMELINE_KINDS as readonly string[]).includes(kind);

function entryIcon(e: TimelineEntry, s: Summary): React.ReactNode {
  switch (e.kind) {
    case 'interaction':
      return channelIcon(str(s, 'channel') ?? '');
    case 'task':
      return str(s, 'status') === 'done' ? <CheckCircleOutlined /> : str(s, 'status') === 'cancelled' ? <CloseCircleOutlined /> : <ScheduleOutlined />;
    case 'stage_change':
      return <RiseOutlined />;
    case 'contact':
      return <UserOutlined />;
    case 'order':
      return <ShoppingCartOutlined />;
    case 'ticket':
      return <CustomerServiceOutlined />;
    case 'opportunity':
      return str(s, 'stage_kind') === 'won' ? <CheckCircleOutlined /> : str(s, 'stage_kind') === 'lost' ? <CloseCircleOutlined /> : <FundOutlined />;
    default:
      return <ClockCircleOutlined />;
  }
}

function entryColor(e: TimelineEntry, s: Summary): string {
  if (e.kind === 'interaction') return 'blue';
  if (e.kind === 'task') return str(s, 'status') === 'done' ? 'green' : str(s, 'status') === 'cancelled' ? 'gray' : 'orange';
  if (e.kind === 'stage_change') return 'purple';
  if (e.kind === 'order') return str(s, 'status') === 'cancelled' || str(s, 'status') === 'refunded' ? 'gray' : 'green';
  if (e.kind === 'opportunity') return STAGE_KIND_COLOR[str(s, 'stage_kind') ?? ''] ?? 'blue';
  if (e.kind === 'ticket') return s.breached === true ? 'red' : str(s, 'status') === 'resolved' || str(s, 'status') === 'closed' ? 'green' : 'orange';
  return 'gray';
}

/** The kind-specific line under an entry's title; unknown kinds (later modules) have none. */
function Details({ entry, summary: s }: { entry: TimelineEntry; summary: Summary }) {
  const { t, i18n } = useTranslation();
  switch (entry.kind) {
    case 'interaction': {
      const channel = str(s, 'channel');
      const direction = str(s, 'direction');
      const outcome = str(s, 'outcome');
      return (
        <Typography.Text type="secondary">
          {[channel && t(`channel.${channel}`, { defaultValue: channel }), direction && t(`direction.${direction}`, { defaultValue: direction }), outcome]
            .filter(Boolean)
            .join(' · ')}
        </Typography.Text>
      );
    }
    case 'task': {
      const status = str(s, 'status') as TaskStatus | undefined;
      const priority = str(s, 'priority') as TaskPriority | undefined;
      const due = str(s, 'due_at');
      return (
        <Space size={4} wrap>
          {status && <TaskStatusTag status={status} />}
          {priority && <PriorityTag priority={priority} />}
          {due && <Typography.Text type="secondary">{t('task.dueAt')}: {formatDateTime(due, i18n.language)}</Typography.Text>}
        </Space>
      );
    }
    case 'stage_change': {
      const from = str(s, 'from_stage') as LifecycleStage | undefined;
      const to = str(s, 'to_stage') as LifecycleStage | undefined;
      return (
        <Typography.Text type="secondary">
          {from ? `${t(`stage.${from}`)} → ` : ''}
          {to ? t(`stage.${to}`) : ''}
        </Typography.Text>
      );
    }
    case 'contact': {
      const action = str(s, 'action');
      const name = str(s, 'name') ?? '';
      return <Typography.Text type="secondary">{action ? t(`timeline.contactAction.${action}`, { name, defaultValue: name }) : name}</Typography.Text>;
    }
    case 'opportunity': {
      const stage = str(s, 'stage_name');
      const kind = str(s, 'stage_kind') ?? 'open';
      const amount = money(s, 'amount');
      const close = str(s, 'expected_close_date');
      const owner = str(s, 'owner_name');
      return (
        <Space size={4} wrap>
          {stage && <Tag color={kind === 'won' ? 'success' : kind === 'lost' ? 'error' : 'processing'} data-testid="timeline-opportunity-stage" data-stage-kind={kind}>{stage}</Tag>}
          {amount && <Typography.Text>{formatMoney(amount, i18n.language)}</Typography.Text>}
          {close && <Typography.Text type="secondary">{t('opportunity.expectedClose')}: {formatDate(close, i18n.language)}</Typography.Text>}
          {owner && <Typography.Text type="secondary">{t('opportunity.owner')}: {owner}</Typography.Text>}
        </Space>
      );
    }
    case 'order': {
      const status = str(s, 'status');
      const total = money(s, 'total');
      const date = str(s, 'order_date');
      return (
        <Space size={4} wrap>
          {status && <Tag data-testid="timeline-order-status" data-status={status}>{t(`orderStatus.${status}`, { defaultValue: status })}</Tag>}
          {total && <Typography.Text>{formatMoney(total, i18n.language)}</Typography.Text>}
          {date && <Typography.Text type="secondary">{t('order.date')}: {formatDate(date, i18n.language)}</Typography.Text>}
        </Space>
      );
    }
    case 'ticket': {
      const status = str(s, 'status');
      const assignee = str(s, 'assignee_name');
      return (
        <Space size={4} wrap>
          {status && <Tag data-testid="timeline-ticket-status" data-status={status}>{t(`ticketStatus.${status}`, { defaultValue: status })}</Tag>}
          {s.breached === true && <Tag color="error">{t('sla.breached')}</Tag>}
          {assignee && <Typography.Text type="secondary">{t('ticket.assignee')}: {assignee}</Typography.Text>}
        </Space>
      );
    }
    default:
      return null;
  }
}

/** The entry's headline: the server's title, except stage changes, whose title is the stage key. */
function useTitle() {
  const { t } = useTranslation();
  return (e: TimelineEntry, s: Summary): string => {
    const to = str(s, 'to_stage');
    if (e.kind === 'stage_change' && to && (LIFECYCLE_STAGES as readonly string[]).includes(to)) return t(`stage.${to as LifecycleStage}`);
    return e.title;
  };
}

/** The customer's 360° timeline: interactions, tasks, stage changes, contacts… newest first, with "load more". */
export function TimelinePanel({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const titleOf = useTitle();
  const [kinds, setKinds] = useState<string[]>([]);
  const timeline = useTimeline(customerId, kinds);
  const entries = useCursorRows(timeline);

  const toggle = (kind: string, on: boolean) => setKinds((ks) => (on ? [...ks, kind] : ks.filter((k) => k !== kind)).sort());

  return (
    <div>
      <Space wrap style={{ marginBottom: 16 }} data-testid="timeline-kinds">
        <Tag.CheckableTag checked={kinds.length === 0} onChange={() => setKinds([])} data-testid="timeline-kind-all">
          {t('timeline.all')}
        </Tag.CheckableTag>
        {TIMELINE_KINDS.map((k) => (
          <Tag.CheckableTag key={k} checked={kinds.includes(k)} onChange={(on) => toggle(k, on)} data-testid={`timeline-kind-${k}`}>
            {t(`timeline.kind.${k}`)}
          </Tag.CheckableTag>
        ))}
      </Space>
      {timeline.isPending ? (
        <Spin />
      ) : timeline.isError && !timeline.data ? (
        <ErrorResult error={timeline.error} onRetry={() => void timeline.refetch()} />
      ) : entries.length === 0 ? (
        <Empty description={t('timeline.empty')} data-testid="timeline-empty" />
      ) : (
        <Spin spinning={timeline.isFetching && !timeline.isFetchingNextPage}>
          <Timeline
            data-testid="timeline"
            items={entries.map((e) => {
              const summary = (e.summary ?? {}) as Summary;
              return {
                key: `${e.kind}-${e.id}`,
                icon: entryIcon(e, summary),
                color: entryColor(e, summary),
                content: (
                  <div data-testid="timeline-item" data-kind={e.kind}>
                    <Space size={6} wrap>
                      <Tag>{isKnown(e.kind) ? t(`timeline.kind.${e.kind}`) : t('timeline.kind.other')}</Tag>
                      {e.kind === 'ticket' ? (
                        <Link to={`/service/tickets/${e.entity_id}`} data-testid="timeline-ticket-link">
                          <b>{titleOf(e, summary)}</b>
                        </Link>
                      ) : e.kind === 'opportunity' || e.kind === 'order' ? (
                        <Link to={`/sales/${e.kind === 'order' ? 'orders' : 'opportunities'}/${e.entity_id}`} data-testid={`timeline-${e.kind}-link`}>
                          <b>{titleOf(e, summary)}</b>
                        </Link>
                      ) : (
                        <Typography.Text strong>{titleOf(e, summary)}</Typography.Text>
                      )}
                    </Space>
                    <div>
                      <Details entry={e} summary={summary} />
                    </div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {[e.actor_name, formatDateTime(e.occurred_at, i18n.language)].filter(Boolean).join(' · ')}
                    </Typography.Text>
                  </div>
                ),
              };
            })}
          />
        </Spin>
      )}
      <LoadMore query={timeline} shown={entries.length} end compact data-testid="timeline-more" />
    </div>
  );
}
