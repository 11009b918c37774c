import { useState } from 'react';
import { Avatar, Button, Drawer, Dropdown, Grid, Layout, Menu, Space, Typography } from 'antd';
import {
  AppstoreOutlined, BulbOutlined, CustomerServiceOutlined, DashboardOutlined, FundOutlined,
  DesktopOutlined, LogoutOutlined, MenuOutlined, MessageOutlined, SafetyCertificateOutlined, SafetyOutlined, SettingOutlined, TeamOutlined, UserOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useDocumentTitle } from '../ui/documentTitle';
import { LanguageSwitch } from '../ui/LanguageSwitch';
import { useLogout, useMe } from '../modules/auth/useSession';
import { NotificationBell } from '../modules/notifications/NotificationBell';
import { moduleForPath, visibleModules, type ModuleKey } from './modules';

const ICONS: Record<ModuleKey, React.ReactNode> = {
  dashboard: <DashboardOutlined />,
  customers: <TeamOutlined />,
  activities: <MessageOutlined />,
  sales: <FundOutlined />,
  service: <CustomerServiceOutlined />,
  requirements: <BulbOutlined />,
  privacy: <SafetyOutlined />,
  settings: <SettingOutlined />,
};

export function AppLayout() {
  const { t } = useTranslation();
  const me = useMe().data;
  const logout = useLogout();
  const navigate = useNavigate();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const isMobile = screens.md === false;
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);

  const modules = visibleModules(me);
  const current = moduleForPath(location.pathname)?.key;
  // a page of no module (my sessions, not found) leaves every item unselected
  const selected = current ? [current] : [];
  // the module names the tab; its pages add what they show
  useDocumentTitle(current && t(`nav.${current}`));
  const menu = (
    <Menu
      mode="inline"
      theme={isMobile ? 'light' : 'dark'}
      selectedKeys={selected}
      data-testid="nav-menu"
      items={modules.map((m) => ({
        key: m.key,
        icon: ICONS[m.key],
        label: <span data-testid={`nav-${m.key}`}>{t(`nav.${m.key}`)}</span>,
        onClick: () => {
          setDrawerOpen(false);
          navigate(m.path);
        },
      }))}
    />
  );

  const signOut = () => {
    logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) });
  };

  return (
    <Layout className="app-layout">
      {!isMobile && (
        <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} breakpoint="lg" width={208}>
          <div className="app-logo">
            <AppstoreOutlined /> {!collapsed && <span>{t('app.name')}</span>}
          </div>
          {menu}
        </Layout.Sider>
      )}
      {isMobile && (
        <Drawer placement="left" open={drawerOpen} onClose={() => setDrawerOpen(false)} title={t('app.name')} size={240} styles={{ body: { padding: 0 } }}>
          {menu}
        </Drawer>
      )}
      <Layout>
        <Layout.Header className="app-header">
          <Space>
            {isMobile && (
              <Button type="text" icon={<MenuOutlined />} aria-label={t('nav.openMenu')} onClick={() => setDrawerOpen(true)} data-testid="nav-drawer-button" />
            )}
            {isMobile && <Typography.Text strong>{t('app.name')}</Typography.Text>}
          </Space>
          <Space size="middle">
            <NotificationBell />
            <LanguageSwitch />
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  { key: 'who', disabled: true, label: <span>{me?.email}<br />{t('user.role')}: {me?.role.name}</span> },
                  { type: 'divider' },
                  { key: 'sessions', icon: <DesktopOutlined />, label: <span data-testid="my-sessions">{t('session.mine')}</span>, onClick: () => navigate('/account/sessions') },
                  { key: 'two-factor', icon: <SafetyCertificateOutlined />, label: <span data-testid="my-two-factor">{t('twoFactor.title')}</span>, onClick: () => navigate('/account/two-factor') },
                  { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="signout">{t('auth.signOut')}</span>, onClick: signOut },
                ],
              }}
            >
              <Button type="text" data-testid="user-menu">
                <Avatar size="small" icon={<UserOutlined />} /> {!isMobile && me?.display_name}
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content className="app-content">
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
