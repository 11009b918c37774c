import { CustomFieldValues } from '../customFields/CustomFieldValues';
import type { StoredValues } from '../customFields/values';
import { App, Button, Card, Descriptions, Popconfirm, Space } from 'antd';
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { can } from '../../app/permissions';
import type { Order } from '../../api/types';
import { dateTimeOrDash, formatDate, formatMoney } from '../../i18n/format';
import { useDocumentTitle } from '../../ui/documentTitle';
import { Loaded } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { OrderStatusTag } from './labels';
import { LinesTable } from './LinesTable';
import { ACTIONS_BY_STATUS, useDeleteOrder, useOrder, useOrderTransition, useUpdateOrder, type OrderAction } from './useOrders';
import { EditCustomFieldsButton } from '../customFields/CustomFieldsDialog';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { hasCode } from '../../ui/problemText';
import { RecordHead } from '../../ui/RecordHead';

export default function OrderShow() {
  const { id = '' } = useParams();
  const order = useOrder(id);
  return <Loaded query={order}>{(data) => <Show o={data} reload={() => void order.refetch()} />}</Loaded>;
}

function Show({ o, reload }: { o: Order; reload: () => void }) {
  const { t, i18n } = useTranslation();
  useDocumentTitle(o.number, t('sales.tabs.orders'), t('nav.sales'));
  const lang = i18n.language;
  const me = useMe().data;
  const navigate = useNavigate();
  const { message, modal } = App.useApp();
  const transition = useOrderTransition();
  const remove = useDeleteOrder();
  const canUpdate = can(me, 'sales', 'update');
  const updateOrder = useUpdateOrder();

  const writeFailed = useWriteFailed(reload);
  const failed = (e: Error) => {
    if (hasCode(e, 'order.invalid_transition')) {
      reload();
      void message.error(t('order.invalidTransition'));
      return;
    }
    writeFailed(e);
  };

  const act = (action: OrderAction) =>
    transition.mutate({ order: o, action }, { onSuccess: (n) => void message.success(t(`order.done.${action}`, { number: n.number })), onError: failed });

  const confirmFirst = (action: OrderAction) =>
    action === 'confirm' || action === 'fulfill'
      ? act(action)
      : modal.confirm({
          title: t(`order.ask.${action}`, { number: o.number }),
          okText: t(`order.action.${action}`),
          cancelText: t('common.cancel'),
          okButtonProps: { danger: true, 'data-testid': `order-${action}-confirm` } as { danger: boolean },
          onOk: () => act(action),
        });

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card>
        <RecordHead
          title={o.number}
          titleTestId="order-title"
          tags={<OrderStatusTag status={o.status} />}
          actions={
          <>
            {canUpdate &&
              ACTIONS_BY_STATUS[o.status].map((a) => (
                <Button
                  key={a}
                  type={a === 'confirm' || a === 'fulfill' ? 'primary' : 'default'}
                  danger={a === 'cancel' || a === 'refund'}
                  loading={transition.isPending && transition.variables?.action === a}
                  onClick={() => confirmFirst(a)}
                  data-testid={`order-${a}`}
                >
                  {t(`order.action.${a}`)}
                </Button>
              ))}
            {canUpdate && o.status === 'draft' && (
              <Button icon={<EditOutlined />} onClick={() => navigate(`/sales/orders/${o.id}/edit`)} data-testid="order-edit">{t('common.edit')}</Button>
            )}
            {/* a confirmed order's custom fields stay editable, its lines do not */}
            {canUpdate && o.status !== 'draft' && (
              <EditCustomFieldsButton
                entity="orders"
                values={(o.custom_fields ?? {}) as StoredValues}
                save={(patch) => updateOrder.mutateAsync({ order: o, patch: { custom_fields: patch as Order['custom_fields'] } })}
              />
            )}
            {can(me, 'sales', 'delete') && o.status === 'draft' && (
              <Popconfirm
                title={t('order.deleteConfirm')}
                okText={t('common.delete')}
                cancelText={t('common.cancel')}
                okButtonProps={{ danger: true }}
                onConfirm={() =>
                  remove.mutate(o, {
                    onSuccess: () => {
                      void message.success(t('order.deleted'));
                      navigate('/sales/orders');
                    },
                    onError: failed,
                  })
                }
              >
                <Button danger icon={<DeleteOutlined />} data-testid="order-delete">{t('common.delete')}</Button>
              </Popconfirm>
            )}
          </>
          }
        />
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} data-testid="order-profile">
          <Descriptions.Item label={t('opportunity.customer')}>
            <Link to={`/customers/${o.customer_id}`} data-testid="order-customer-link">{o.customer_name ?? o.customer_id}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('order.date')}>{formatDate(o.order_date, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('order.opportunity')}>
            {o.opportunity_id ? <Link to={`/sales/opportunities/${o.opportunity_id}`}>{t('order.openOpportunity')}</Link> : '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('order.subtotal')}>{formatMoney(o.subtotal, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('order.discount')}>{formatMoney(o.discount, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('order.total')}><b data-testid="order-total">{formatMoney(o.total, lang)}</b></Descriptions.Item>
          <Descriptions.Item label={t('opportunity.owner')}>{o.owner_name ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('order.confirmedAt')}>{dateTimeOrDash(o.confirmed_at, lang)}</Descriptions.Item>
          {o.external_id && <Descriptions.Item label={t('order.external')}>{`${o.external_system ?? ''} ${o.external_id}`.trim()}</Descriptions.Item>}
          <Descriptions.Item label={t('order.notes')} span="filled">{o.notes || '—'}</Descriptions.Item>
        </Descriptions>
        <CustomFieldValues entity="orders" values={(o.custom_fields ?? {}) as StoredValues} />
      </Card>
      <Card title={t('opportunity.products')} size="small">
        <LinesTable lines={o.lines} currency={o.total.currency} />
      </Card>
    </Space>
  );
}
