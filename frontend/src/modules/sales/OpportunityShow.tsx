import { CustomFieldValues } from '../customFields/CustomFieldValues';
import type { StoredValues } from '../customFields/values';
import { App, Button, Card, Descriptions, Empty, Popconfirm, Select, Space, Spin, Timeline, Tooltip, Typography } from 'antd';
import { ItemList } from '../../ui/ItemList';
import { DeleteOutlined, EditOutlined, ShoppingCartOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { can } from '../../app/permissions';
import type { Opportunity, Pipeline } from '../../api/types';
import { formatDate, formatDateTime, formatMoney } from '../../i18n/format';
import { useDocumentTitle } from '../../ui/documentTitle';
import { ErrorResult, Loaded } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { useContacts } from '../customers/useCustomers';
import { humanizeSeconds, OpportunityStageTag, secondsSince } from './labels';
import { useDeleteOpportunity, useOpportunity, useOpportunityHistory } from './useOpportunities';
import { orderedStages, usePipelines } from './usePipelines';
import { useStageMover } from './useStageMover';
import { LinesTable } from './LinesTable';
import { useOrderFromOpportunity } from './useOrders';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { RecordHead } from '../../ui/RecordHead';

export default function OpportunityShow() {
  const { id = '' } = useParams();
  const opportunity = useOpportunity(id);
  return <Loaded query={opportunity}>{(data) => <Show o={data} reload={() => void opportunity.refetch()} />}</Loaded>;
}

function Show({ o, reload }: { o: Opportunity; reload: () => void }) {
  const { t, i18n } = useTranslation();
  useDocumentTitle(o.name, t('sales.tabs.opportunities'), t('nav.sales'));
  const lang = i18n.language;
  const me = useMe().data;
  const navigate = useNavigate();
  const { message } = App.useApp();
  const writeFailed = useWriteFailed(reload);
  const remove = useDeleteOpportunity();
  const pipelines = usePipelines();
  const pipeline = pipelines.data?.find((p) => p.id === o.pipeline_id);
  const contacts = useContacts(o.customer_id, Boolean(o.contact_id));
  const contact = contacts.data?.find((c) => c.id === o.contact_id);
  const mover = useStageMover();
  const canUpdate = can(me, 'sales', 'update');
  const toOrder = useOrderFromOpportunity();
  const createOrder = () =>
    toOrder.mutate(o, {
      onSuccess: (order) => {
        void message.success(t('order.created', { number: order.number }));
        navigate(`/sales/orders/${order.id}`);
      },
      onError: writeFailed,
    });

  const onDelete = () =>
    remove.mutate(o, {
      onSuccess: () => {
        void message.success(t('opportunity.deleted'));
        navigate('/sales/opportunities');
      },
      onError: writeFailed,
    });

  const stages = orderedStages(pipeline).filter((s) => !s.retired || s.id === o.stage.id);
  const v = (x: React.ReactNode) => x || '—';

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card>
        <RecordHead
          title={o.name}
          titleTestId="opportunity-title"
          tags={<OpportunityStageTag stage={o.stage} />}
          actions={
          <>
            {canUpdate && (
              <Select
                value={o.stage.id}
                loading={mover.pending}
                onChange={(id: string) => {
                  const to = stages.find((s) => s.id === id);
                  if (to) mover.request(o, to);
                }}
                options={stages.map((s) => ({ value: s.id, label: `${s.name} (${s.probability}%)` }))}
                style={{ minWidth: 160 }}
                aria-label={t('opportunity.moveTo')}
                data-testid="opportunity-stage-select"
              />
            )}
            {o.stage.kind === 'won' && can(me, 'sales', 'create') && (
              <Tooltip title={o.lines.length === 0 ? t('opportunity.orderNeedsProducts') : undefined}>
                <Button
                  type="primary"
                  icon={<ShoppingCartOutlined />}
                  disabled={o.lines.length === 0}
                  loading={toOrder.isPending}
                  onClick={createOrder}
                  data-testid="opportunity-create-order"
                >
                  {t('opportunity.createOrder')}
                </Button>
              </Tooltip>
            )}
            {canUpdate && (
              <Button icon={<EditOutlined />} onClick={() => navigate(`/sales/opportunities/${o.id}/edit`)} data-testid="opportunity-edit">
                {t('common.edit')}
              </Button>
            )}
            {can(me, 'sales', 'delete') && (
              <Popconfirm title={t('opportunity.deleteConfirm')} onConfirm={onDelete} okText={t('common.delete')} cancelText={t('common.cancel')} okButtonProps={{ danger: true, 'data-testid': 'confirm-delete' } as { danger: boolean }}>
                <Button danger icon={<DeleteOutlined />} loading={remove.isPending} data-testid="opportunity-delete">
                  {t('common.delete')}
                </Button>
              </Popconfirm>
            )}
          </>
          }
        />
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} data-testid="opportunity-profile">
          <Descriptions.Item label={t('opportunity.customer')}>
            <Link to={`/customers/${o.customer_id}`} data-testid="opportunity-customer-link">{o.customer_name ?? o.customer_id}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('opportunity.contact')}>{v(contact?.name)}</Descriptions.Item>
          <Descriptions.Item label={t('board.pipeline')}>{v(pipeline?.name)}</Descriptions.Item>
          <Descriptions.Item label={t('opportunity.amount')}><span data-testid="opportunity-amount">{formatMoney(o.amount, lang)}</span></Descriptions.Item>
          <Descriptions.Item label={t('opportunity.probability')}>
            {o.effective_probability}%{o.probability !== null && o.probability !== undefined ? ` (${t('opportunity.overridden')})` : ''}
          </Descriptions.Item>
          <Descriptions.Item label={t('opportunity.weightedAmount')}>{formatMoney({ amount_minor: o.weighted_amount_minor, currency: o.amount.currency }, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('opportunity.expectedClose')}>{v(formatDate(o.expected_close_date, lang))}</Descriptions.Item>
          <Descriptions.Item label={t('opportunity.source')}>{o.source ? t(`source.${o.source}`) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('opportunity.owner')}>{v(o.owner_name)}</Descriptions.Item>
          <Descriptions.Item label={t('opportunity.timeInStage')}>
            <span data-testid="opportunity-time-in-stage">{humanizeSeconds(secondsSince(o.stage_entered_at), t)}</span>
          </Descriptions.Item>
          {o.closed_at && <Descriptions.Item label={t('opportunity.closedAt')}>{formatDateTime(o.closed_at, lang)}</Descriptions.Item>}
          {o.loss_reason && (
            <Descriptions.Item label={t('opportunity.lossReason')}><span data-testid="opportunity-loss-reason">{o.loss_reason}</span></Descriptions.Item>
          )}
          <Descriptions.Item label={t('customer.createdAt')}>{formatDateTime(o.created_at, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('customer.updatedAt')}>{formatDateTime(o.updated_at, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('opportunity.description')} span="filled">{v(o.description)}</Descriptions.Item>
        </Descriptions>
        <CustomFieldValues entity="opportunities" values={(o.custom_fields ?? {}) as StoredValues} />
      </Card>
      <Card title={t('opportunity.products')} size="small">
        {o.lines.length === 0 ? (
          <Typography.Text type="secondary">{t('opportunity.noProducts')}</Typography.Text>
        ) : (
          <LinesTable lines={o.lines} currency={o.amount.currency} />
        )}
      </Card>
      <Card title={t('opportunity.competitors')} size="small">
        {o.competitors.length === 0 ? (
          <Typography.Text type="secondary">{t('opportunity.noCompetitors')}</Typography.Text>
        ) : (
          <ItemList
            size="small"
            dataSource={o.competitors}
            data-testid="opportunity-competitor-list"
            renderItem={(c) => (
              <ItemList.Item>
                <Typography.Text strong>{c.name}</Typography.Text>
                {c.notes && <Typography.Text type="secondary"> — {c.notes}</Typography.Text>}
              </ItemList.Item>
            )}
          />
        )}
      </Card>
      <Card title={t('opportunity.history')} size="small">
        <StageHistory opportunity={o} pipeline={pipeline} />
      </Card>
      {mover.element}
    </Space>
  );
}

/** The opportunity's stage moves, newest first, each with the time spent in the stage it left. */
export function StageHistory({ opportunity, pipeline }: { opportunity: Opportunity; pipeline: Pipeline | undefined }) {
  const { t, i18n } = useTranslation();
  const history = useOpportunityHistory(opportunity.id);
  if (history.isPending) return <Spin />;
  if (history.isError) return <ErrorResult error={history.error} onRetry={() => void history.refetch()} />;
  if (history.data.length === 0) return <Empty description={t('customer.noHistory')} />;
  const name = (id: string | null | undefined) => (id ? (pipeline?.stages.find((s) => s.id === id)?.name ?? '?') : '');
  return (
    <Timeline
      data-testid="opportunity-history"
      items={history.data.map((h, i) => ({
        key: h.id,
        color: i === 0 ? 'blue' : 'gray',
        content: (
          <div data-testid="history-item">
            <span>
              {h.from_stage_id ? `${name(h.from_stage_id)} → ` : `${t('opportunity.createdIn')} `}
              <b>{name(h.to_stage_id)}</b> · {h.changed_by_name ?? t('customer.system')} · {formatDateTime(h.changed_at, i18n.language)}
            </span>
            {h.from_stage_id && (
              <div>
                <Typography.Text type="secondary" data-testid="history-duration">
                  {t('opportunity.spentIn', { stage: name(h.from_stage_id), duration: humanizeSeconds(h.seconds_in_previous, t) })}
                </Typography.Text>
              </div>
            )}
          </div>
        ),
      }))}
    />
  );
}
