import { Button, Dropdown, Layout, Space, Typography } from 'antd';
import { CustomerServiceOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useDocumentTitle } from '../../../ui/documentTitle';
import { LanguageSwitch } from '../../../ui/LanguageSwitch';
import { usePortalLogout, usePortalMe } from './usePortalSession';

/** The portal's own frame: brand, "my tickets" and "help centre", language, the customer's name. No staff navigation. */
export function PortalLayout() {
  const { t } = useTranslation();
  const me = usePortalMe().data;
  const logout = usePortalLogout();
  const navigate = useNavigate();
  useDocumentTitle(useLocation().pathname.startsWith('/portal/kb') ? t('portal.nav.kb') : t('portal.nav.tickets'));
  const signOut = () => logout.mutate(undefined, { onSettled: () => navigate('/portal/login', { replace: true }) });

  return (
    <Layout className="portal-layout" data-testid="portal-layout">
      <Layout.Header className="portal-header">
        <NavLink to="/portal" end className="portal-brand">
          <CustomerServiceOutlined /> <span>{t('portal.brand')}</span>
        </NavLink>
        <nav className="portal-nav" data-testid="portal-nav">
          <NavLink to="/portal" end className={({ isActive }) => (isActive ? 'active' : undefined)} data-testid="portal-nav-tickets">
            {t('portal.nav.tickets')}
          </NavLink>
          <NavLink to="/portal/kb" className={({ isActive }) => (isActive ? 'active' : undefined)} data-testid="portal-nav-kb">
            {t('portal.nav.kb')}
          </NavLink>
        </nav>
        <Space size="small" className="portal-header-right">
          <LanguageSwitch />
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                { key: 'who', disabled: true, label: <span>{me?.name}<br />{me?.customer_name}<br />{me?.email}</span> },
                { type: 'divider' },
                { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="portal-signout">{t('auth.signOut')}</span>, onClick: signOut },
              ],
            }}
          >
            <Button type="text" icon={<UserOutlined />} data-testid="portal-user-menu">
              <span className="portal-user-name">{me?.name}</span>
            </Button>
          </Dropdown>
        </Space>
      </Layout.Header>
      <Layout.Content className="portal-content">
        <Outlet />
      </Layout.Content>
      <Layout.Footer className="portal-footer">
        <Typography.Text type="secondary">{me?.customer_name ? t('portal.footer', { company: me.customer_name }) : t('portal.brand')}</Typography.Text>
      </Layout.Footer>
    </Layout>
  );
}
