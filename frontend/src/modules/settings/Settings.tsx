import { Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import { useMe } from '../auth/useSession';
import { useDocumentTitle } from '../../ui/documentTitle';
import { WeightsTab } from '../requirements/WeightsTab';
import { ApiKeysTab } from './ApiKeysTab';
import { AuditTab } from './AuditTab';
import { CustomFieldsTab } from './CustomFieldsTab';
import { FollowUpRulesTab } from './FollowUpRulesTab';
import { PipelinesTab } from './PipelinesTab';
import { SlaPoliciesTab } from './SlaPoliciesTab';
import { ServiceSettingsTab } from './ServiceSettingsTab';
import { RolesTab } from './RolesTab';
import { TeamsTab } from './TeamsTab';
import { UsersTab } from './UsersTab';
import { WebhooksTab } from './WebhooksTab';

export default function Settings() {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const tabs = [
    { key: 'users', name: t('settings.users'), label: t('settings.users'), children: <UsersTab />, show: can(me, 'users') },
    { key: 'teams', name: t('settings.teams'), label: t('settings.teams'), children: <TeamsTab />, show: can(me, 'teams') },
    { key: 'roles', name: t('settings.roles'), label: t('settings.roles'), children: <RolesTab />, show: can(me, 'roles') },
    { key: 'follow-up-rules', name: t('rules.title'), label: t('rules.title'), children: <FollowUpRulesTab />, show: can(me, 'users', 'update') },
    { key: 'api-keys', name: t('apiKey.title'), label: <span data-testid="settings-tab-api-keys">{t('apiKey.title')}</span>, children: <ApiKeysTab />, show: can(me, 'users', 'update') },
    { key: 'audit', name: t('audit.title'), label: <span data-testid="settings-tab-audit">{t('audit.title')}</span>, children: <AuditTab />, show: can(me, 'audit') },
    { key: 'webhooks', name: t('webhook.title'), label: <span data-testid="settings-tab-webhooks">{t('webhook.title')}</span>, children: <WebhooksTab />, show: can(me, 'users', 'update') },
    { key: 'custom-fields', name: t('customField.title'), label: <span data-testid="settings-tab-custom-fields">{t('customField.title')}</span>, children: <CustomFieldsTab />, show: can(me, 'users', 'update') },
    { key: 'pipelines', name: t('pipeline.title'), label: <span data-testid="settings-tab-pipelines">{t('pipeline.title')}</span>, children: <PipelinesTab />, show: can(me, 'users', 'update') && can(me, 'sales') },
    { key: 'sla-policies', name: t('slaPolicy.title'), label: <span data-testid="settings-tab-sla-policies">{t('slaPolicy.title')}</span>, children: <SlaPoliciesTab />, show: can(me, 'users', 'update') && can(me, 'service') },
    { key: 'service', name: t('serviceSettings.title'), label: <span data-testid="settings-tab-service">{t('serviceSettings.title')}</span>, children: <ServiceSettingsTab />, show: can(me, 'users', 'update') && can(me, 'service') },
    { key: 'requirement-weights', name: t('requirement.weights.title'), label: <span data-testid="settings-tab-requirement-weights">{t('requirement.weights.title')}</span>, children: <WeightsTab />, show: can(me, 'users', 'update') && can(me, 'requirements') },
  ].filter((x) => x.show);
  const activeTab = tabs.find((x) => pathname.startsWith(`/settings/${x.key}`)) ?? tabs[0];
  const active = activeTab?.key;
  useDocumentTitle(activeTab?.name, t('nav.settings'));
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>{t('nav.settings')}</Typography.Title>
      </div>
      <Tabs activeKey={active} onChange={(k) => navigate(`/settings/${k}`)} items={tabs.map(({ show: _s, name: _n, ...x }) => x)} destroyOnHidden />
    </div>
  );
}
