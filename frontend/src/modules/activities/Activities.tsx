import { Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { useDocumentTitle } from '../../ui/documentTitle';
import InteractionList from './InteractionList';
import MyTasks from './MyTasks';

/** The activities module: my tasks and the interaction log, one tab each (`/activities/tasks`, `/activities/interactions`). */
export default function Activities() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const active = pathname.startsWith('/activities/interactions') ? 'interactions' : 'tasks';
  useDocumentTitle(active === 'interactions' ? t('interaction.list') : t('task.myTasks'), t('nav.activities'));
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>{t('nav.activities')}</Typography.Title>
      </div>
      <Tabs
        activeKey={active}
        onChange={(k) => navigate(`/activities/${k}`)}
        destroyOnHidden
        items={[
          { key: 'tasks', label: <span data-testid="tab-tasks">{t('task.myTasks')}</span>, children: <MyTasks /> },
          { key: 'interactions', label: <span data-testid="tab-interactions">{t('interaction.list')}</span>, children: <InteractionList /> },
        ]}
      />
    </div>
  );
}
