import { lazy, Suspense } from 'react';
import { Spin, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { NotFound } from '../../app/NotFound';
import { useDocumentTitle } from '../../ui/documentTitle';
import TicketQueue from './TicketQueue';

const TicketCreate = lazy(() => import('./TicketForm'));
const TicketShow = lazy(() => import('./TicketShow'));
const KbList = lazy(() => import('./KbList'));
const KbArticleShow = lazy(() => import('./KbArticleShow'));
const KbArticleCreate = lazy(() => import('./KbArticleForm').then((m) => ({ default: m.KbArticleCreate })));
const KbArticleEdit = lazy(() => import('./KbArticleForm').then((m) => ({ default: m.KbArticleEdit })));
const KbRevisions = lazy(() => import('./KbRevisions'));
const KbCategories = lazy(() => import('./KbCategories'));

export const SERVICE_TABS = ['tickets', 'kb'] as const;
type ServiceTab = (typeof SERVICE_TABS)[number];

/** The module's top pages, one tab each: the ticket queue (default) and the knowledge base. */
function TabbedPage({ active }: { active: ServiceTab }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  useDocumentTitle(t(`service.tabs.${active}`), t('nav.service'));
  const page: Record<ServiceTab, React.ReactNode> = { tickets: <TicketQueue />, kb: <KbList /> };
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>{t('nav.service')}</Typography.Title>
      </div>
      <Tabs
        activeKey={active}
        onChange={(k) => navigate(`/service/${k}`)}
        destroyOnHidden
        items={SERVICE_TABS.map((k) => ({
          key: k,
          label: <span data-testid={`service-tab-${k}`}>{t(`service.tabs.${k}`)}</span>,
          children: k === active ? <Suspense fallback={<Spin />}>{page[k]}</Suspense> : null,
        }))}
      />
    </div>
  );
}

/** `/service` opens the queue, keeping any query (a bookmarked view). */
function ToQueue() {
  const { search } = useLocation();
  return <Navigate to={`/service/tickets${search}`} replace />;
}

/** The service module's routes under `/service`: tickets (the queue is the default) and the knowledge base. */
export default function Service() {
  return (
    <Suspense fallback={<Spin />}>
      <Routes>
        <Route index element={<ToQueue />} />
        <Route path="tickets" element={<TabbedPage active="tickets" />} />
        <Route path="tickets/new" element={<TicketCreate />} />
        <Route path="tickets/:id" element={<TicketShow />} />
        <Route path="kb" element={<TabbedPage active="kb" />} />
        <Route path="kb/new" element={<KbArticleCreate />} />
        <Route path="kb/categories" element={<KbCategories />} />
        <Route path="kb/articles/:id" element={<KbArticleShow />} />
        <Route path="kb/articles/:id/edit" element={<KbArticleEdit />} />
        <Route path="kb/articles/:id/revisions" element={<KbRevisions />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}
