import { Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { useDocumentTitle } from '../../ui/documentTitle';
import { PrivacyRequests } from './PrivacyRequests';
import { Retention } from './Retention';

/** The tabs of the privacy module, as the URL names them. */
export const PRIVACY_TABS = ['requests', 'retention'] as const;

/** 隐私 / Privacy: subject requests and retention (PIPL). A person's consents, export and erasure are on their record. */
export default function Privacy() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const active = PRIVACY_TABS.find((k) => pathname.startsWith(`/privacy/${k}`)) ?? 'requests';
  useDocumentTitle(t(`privacy.tabs.${active}`), t('nav.privacy'));
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>{t('nav.privacy')}</Typography.Title>
      </div>
      <Tabs
        activeKey={active}
        onChange={(k) => navigate(`/privacy/${k}`)}
        destroyOnHidden
        items={[
          { key: 'requests', label: <span data-testid="privacy-tab-requests">{t('privacy.tabs.requests')}</span>, children: <PrivacyRequests /> },
          { key: 'retention', label: <span data-testid="privacy-tab-retention">{t('privacy.tabs.retention')}</span>, children: <Retention /> },
        ]}
      />
    </div>
  );
}
