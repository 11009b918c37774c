import { useState } from 'react';
import { App, Button, Card, Descriptions, Popconfirm, Select, Space, Spin, Tabs, Empty, Timeline } from 'antd';
import { DeleteOutlined, EditOutlined, PhoneOutlined, ScheduleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { can } from '../../app/permissions';
import { isStale, problemText } from '../../ui/problemText';
import { LIFECYCLE_STAGES, type Customer, type LifecycleStage } from '../../api/types';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../i18n/format';
import { useDocumentTitle } from '../../ui/documentTitle';
import { ErrorResult, Loaded } from '../../ui/ErrorResult';
import { PhoneLink } from '../../ui/PhoneLink';
import { PersonalValue } from '../../ui/PersonalValue';
import { useMe } from '../auth/useSession';
import { InteractionModal } from '../activities/InteractionForm';
import { TaskModal } from '../activities/TaskForm';
import { CustomerRequirements } from '../requirements/CustomerRequirements';
import { CustomerOpportunities } from '../sales/CustomerOpportunities';
import { CustomerOrders } from '../sales/CustomerOrders';
import { CustomerTickets } from '../service/CustomerTickets';
import { PortalAccountsPanel } from '../service/PortalAccountsPanel';
import { PrivacyPanel } from '../privacy/PrivacyPanel';
import { ContactsPanel } from './ContactsPanel';
import { CustomerDuplicatesCard } from './duplicates/CustomerDuplicatesCard';
import { MergeCustomerButton } from './merge/MergeWizard';
import { TimelinePanel } from './TimelinePanel';
import { StageTag } from './labels';
import { useCustomer, useDeleteCustomer, useStageHistory, useUpdateCustomer } from './useCustomers';
import { RecordHead } from '../../ui/RecordHead';
import { enumOptions } from '../../ui/useOptions';
import { useCustomFieldItems } from '../customFields/CustomFieldValues';
import { storedCustomFields } from './CustomerForm';

export default function CustomerShow() {
  const { id = '' } = useParams();
  const customer = useCustomer(id);
  return <Loaded query={customer}>{(data) => <Show customer={data} reload={() => void customer.refetch()} />}</Loaded>;
}

function Show({ customer: c, reload }: { customer: Customer; reload: () => void }) {
  const { t, i18n } = useTranslation();
  useDocumentTitle(c.name, t('nav.customers'));
  const lang = i18n.language;
  const me = useMe().data;
  const navigate = useNavigate();
  const { message, modal } = App.useApp();
  const update = useUpdateCustomer();
  const remove = useDeleteCustomer();
  const [logging, setLogging] = useState(false);
  const [tasking, setTasking] = useState(false);

  const onStale = () =>
    modal.warning({
      title: t('stale.title'),
      content: t('stale.descriptionShort'),
      okText: t('stale.reload'),
      onOk: reload,
    });

  const changeStage = (stage: LifecycleStage) => {
    update.mutate(
      { id: c.id, version: c.version, patch: { lifecycle_stage: stage } },
      {
        onSuccess: () => void message.success(t('customer.stageChanged', { stage: t(`stage.${stage}`) })),
        onError: (e) => (isStale(e) ? onStale() : void message.error(problemText(e, i18n))),
      },
    );
  };

  const onDelete = () => {
    remove.mutate(
      { id: c.id, version: c.version },
      {
        onSuccess: () => {
          void message.success(t('customer.deleted'));
          navigate('/customers');
        },
        onError: (e) => (isStale(e) ? onStale() : void message.error(problemText(e, i18n))),
      },
    );
  };

  const v = (x: string | null | undefined) => x || '—';
  /** A personal field: masked with an eye to reveal it when the role may not see it in clear. */
  const personal = (field: 'phone' | 'email' | 'address' | 'birthday' | 'id_number' | 'bank_account', render?: (value: string) => React.ReactNode) => (
    <PersonalValue kind="customer" record={c} field={field} render={render} empty="—" data-testid={`customer-${field}`} />
  );
  const canUpdate = can(me, 'customers', 'update');
  const customItems = useCustomFieldItems('customers', storedCustomFields(c));
  const canLog = can(me, 'activities', 'create');

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card>
        <RecordHead
          title={c.name}
          titleTestId="customer-title"
          tags={<StageTag stage={c.lifecycle_stage} />}
          actions={
          <>
            {canLog && (
              <Button type="primary" icon={<PhoneOutlined />} onClick={() => setLogging(true)} data-testid="log-interaction">
                {t('interaction.log')}
              </Button>
            )}
            {canLog && (
              <Button icon={<ScheduleOutlined />} onClick={() => setTasking(true)} data-testid="customer-new-task">
                {t('task.create')}
              </Button>
            )}
            {canUpdate && (
              <Select<LifecycleStage>
                value={c.lifecycle_stage}
                loading={update.isPending}
                onChange={changeStage}
                options={enumOptions(t, LIFECYCLE_STAGES, 'stage')}
                style={{ minWidth: 140 }}
                aria-label={t('customer.changeStage')}
                data-testid="stage-select"
              />
            )}
            {canUpdate && (
              <Button icon={<EditOutlined />} onClick={() => navigate(`/customers/${c.id}/edit`)} data-testid="customer-edit">
                {t('common.edit')}
              </Button>
            )}
            <MergeCustomerButton customer={c} />
            {can(me, 'customers', 'delete') && (
              <Popconfirm title={t('customer.deleteConfirm')} onConfirm={onDelete} okText={t('common.delete')} cancelText={t('common.cancel')} okButtonProps={{ danger: true, 'data-testid': 'confirm-delete' } as { danger: boolean }}>
                <Button danger icon={<DeleteOutlined />} loading={remove.isPending} data-testid="customer-delete">
                  {t('common.delete')}
                </Button>
              </Popconfirm>
            )}
          </>
          }
        />
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} data-testid="customer-profile">
          <Descriptions.Item label={t('customer.kind')}>{t(`kind.${c.kind}`)}</Descriptions.Item>
          <Descriptions.Item label={t('customer.industry')}>{v(c.industry)}</Descriptions.Item>
          <Descriptions.Item label={t('customer.sizeBand')}>{c.size_band ? t(`sizeBand.${c.size_band}`) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('customer.region')}>{v([c.province, c.city, c.district].filter(Boolean).join(' / '))}</Descriptions.Item>
          <Descriptions.Item label={t('customer.address')}>{personal('address')}</Descriptions.Item>
          <Descriptions.Item label={t('customer.phone')}>{personal('phone', (p) => <PhoneLink value={p} />)}</Descriptions.Item>
          <Descriptions.Item label={t('customer.email')}>{personal('email')}</Descriptions.Item>
          <Descriptions.Item label={t('customer.website')}>{v(c.website)}</Descriptions.Item>
          {c.kind === 'company' && <Descriptions.Item label={t('customer.creditCode')}>{v(c.credit_code)}</Descriptions.Item>}
          {Object.keys(c.external_ids).length > 0 && (
            <Descriptions.Item label={t('customer.externalIds')}>
              {Object.entries(c.external_ids).map(([system, id]) => `${system}:${id}`).join(' · ')}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('customer.sourceChannel')}>{c.source_channel ? t(`source.${c.source_channel}`) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('customer.valueTier')}>{c.value_tier ? t(`tier.${c.value_tier}`) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('customer.tags')}>{c.tags.length ? c.tags.join(', ') : '—'}</Descriptions.Item>
          {c.kind === 'individual' && (
            <>
              <Descriptions.Item label={t('customer.gender')}>{c.gender ? t(`gender.${c.gender}`) : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('customer.birthday')}>{personal('birthday', (d) => formatDate(d, lang))}</Descriptions.Item>
              <Descriptions.Item label={t('customer.preferences')}>{v(c.preferences)}</Descriptions.Item>
              <Descriptions.Item label={t('customer.id_type')}>
                <span data-testid="customer-id_type">{c.id_type ? t(`idType.${c.id_type}`) : '—'}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('customer.id_number')}>{personal('id_number')}</Descriptions.Item>
            </>
          )}
          <Descriptions.Item label={t('customer.bank_name')}><span data-testid="customer-bank_name">{v(c.bank_name)}</span></Descriptions.Item>
          <Descriptions.Item label={t('customer.bank_account')}>{personal('bank_account')}</Descriptions.Item>
          <Descriptions.Item label={t('customer.owner')}>{v(c.owner_name)}</Descriptions.Item>
          <Descriptions.Item label={t('customer.team')}>{v(c.team_name)}</Descriptions.Item>
          <Descriptions.Item label={t('customer.lastInteractionAt')}>
            <span data-testid="customer-last-interaction">{c.last_interaction_at ? formatDateTime(c.last_interaction_at, lang) : t('customer.noInteraction')}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('customer.orderCount')}><span data-testid="customer-order-count">{formatNumber(c.order_count, lang)}</span></Descriptions.Item>
          <Descriptions.Item label={t('customer.totalSpend')}>
            <span data-testid="customer-total-spend">{formatMoney({ amount_minor: c.total_spend_minor, currency: 'CNY' }, lang)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('customer.lastOrderAt')}>{c.last_order_at ? formatDate(c.last_order_at, lang) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('customer.createdAt')}>{formatDateTime(c.created_at, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('customer.updatedAt')}>{formatDateTime(c.updated_at, lang)}</Descriptions.Item>
          {customItems.map((item) => (
            <Descriptions.Item key={item.key} label={item.label}>{item.children}</Descriptions.Item>
          ))}
          <Descriptions.Item label={t('customer.notes')} span="filled">{v(c.notes)}</Descriptions.Item>
        </Descriptions>
      </Card>
      <CustomerDuplicatesCard customer={c} />
      <Card>
        <Tabs
          defaultActiveKey="timeline"
          items={[
            { key: 'timeline', label: t('customer.tabs.timeline'), children: <TimelinePanel customerId={c.id} /> },
            { key: 'contacts', label: t('customer.tabs.contacts'), children: <ContactsPanel customerId={c.id} /> },
            { key: 'history', label: t('customer.tabs.stageHistory'), children: <StageHistory customerId={c.id} /> },
            ...(can(me, 'sales', 'read')
              ? [
                  { key: 'opportunities', label: t('customer.tabs.opportunities'), children: <CustomerOpportunities customerId={c.id} /> },
                  { key: 'orders', label: t('customer.tabs.orders'), children: <CustomerOrders customerId={c.id} /> },
                ]
              : []),
            ...(can(me, 'service', 'read')
              ? [
                  { key: 'tickets', label: t('customer.tabs.tickets'), children: <CustomerTickets customerId={c.id} /> },
                  { key: 'portal', label: t('customer.tabs.portal'), children: <PortalAccountsPanel customerId={c.id} /> },
                ]
              : []),
            ...(can(me, 'requirements', 'read')
              ? [{ key: 'requirements', label: t('customer.tabs.requirements'), children: <CustomerRequirements customerId={c.id} /> }]
              : []),
            {
              key: 'privacy',
              label: <span data-testid="customer-tab-privacy">{t('customer.tabs.privacy')}</span>,
              children: <PrivacyPanel subject={{ type: 'customer', id: c.id }} name={c.name} onErased={reload} />,
            },
          ]}
        />
      </Card>
      {canLog && <InteractionModal open={logging} customerId={c.id} onClose={() => setLogging(false)} />}
      {canLog && <TaskModal open={tasking} customerId={c.id} onClose={() => setTasking(false)} />}
    </Space>
  );
}

function StageHistory({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const history = useStageHistory(customerId);
  if (history.isPending) return <Spin />;
  if (history.isError) return <ErrorResult error={history.error} onRetry={() => void history.refetch()} />;
  if (history.data.length === 0) return <Empty description={t('customer.noHistory')} />;
  return (
    <Timeline
      data-testid="stage-history"
      items={history.data.map((h) => ({
        key: h.id,
        content: (
          <span>
            {h.from_stage ? `${t(`stage.${h.from_stage}`)} → ` : ''}
            <b>{t(`stage.${h.to_stage}`)}</b> · {h.changed_by_name ?? t('customer.system')} · {formatDateTime(h.changed_at, i18n.language)}
          </span>
        ),
      }))}
    />
  );
}
