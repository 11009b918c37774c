import { lazy, Suspense } from 'react';
import { Button, Spin, Tabs, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import { NotFound } from '../../app/NotFound';
import { useDocumentTitle } from '../../ui/documentTitle';
import { useMe } from '../auth/useSession';

const RequirementBoard = lazy(() => import('./RequirementBoard'));
const RequirementList = lazy(() => import('./RequirementList'));
const Releases = lazy(() => import('./Releases'));
const Report = lazy(() => import('./Report'));
const RequirementCreate = lazy(() => import('./RequirementCreate'));
const RequirementShow = lazy(() => import('./RequirementShow'));
const RequirementEdit = lazy(() => import('./RequirementEdit'));

export const REQUIREMENT_TABS = ['board', 'list', 'releases', 'reports'] as const;
type RequirementTab = (typeof REQUIREMENT_TABS)[number];

/** The module's top pages, one tab each: board (default), ranked list, releases, report. */
function TabbedPage({ active }: { active: RequirementTab }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useMe().data;
  useDocumentTitle(t(`requirement.tabs.${active}`), t('nav.requirements'));
  const page: Record<RequirementTab, React.ReactNode> = {
    board: <RequirementBoard />,
    list: <RequirementList />,
    releases: <Releases />,
    reports: <Report />,
  };
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>{t('nav.requirements')}</Typography.Title>
        {can(me, 'requirements', 'create') && active !== 'list' && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/requirements/new')} data-testid="requirement-new">
            {t('requirement.create')}
          </Button>
        )}
      </div>
      <Tabs
        activeKey={active}
        onChange={(k) => navigate(k === 'board' ? '/requirements' : `/requirements/${k}`)}
        destroyOnHidden
        items={REQUIREMENT_TABS.map((k) => ({
          key: k,
          label: <span data-testid={`requirements-tab-${k}`}>{t(`requirement.tabs.${k}`)}</span>,
          children: k === active ? <Suspense fallback={<Spin />}>{page[k]}</Suspense> : null,
        }))}
      />
    </div>
  );
}

/** The requirements module's routes under `/requirements`. */
export default function Requirements() {
  return (
    <Suspense fallback={<Spin />}>
      <Routes>
        <Route index element={<TabbedPage active="board" />} />
        <Route path="board" element={<TabbedPage active="board" />} />
        <Route path="list" element={<TabbedPage active="list" />} />
        <Route path="releases" element={<TabbedPage active="releases" />} />
        <Route path="reports" element={<TabbedPage active="reports" />} />
        <Route path="new" element={<RequirementCreate />} />
        <Route path=":id" element={<RequirementShow />} />
        <Route path=":id/edit" element={<RequirementEdit />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}
