import { lazy, Suspense } from 'react';
import { Result, Spin, Tabs, Typography } from 'antd';
import { ClockCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useNavigate } from 'react-router';
import { NotFound } from '../../app/NotFound';
import PipelineBoard from './PipelineBoard';

const OpportunityList = lazy(() => import('./OpportunityList'));
const OpportunityCreate = lazy(() => import('./OpportunityCreate'));
const OpportunityShow = lazy(() => import('./OpportunityShow'));
const OpportunityEdit = lazy(() => import('./OpportunityEdit'));
const ProductList = lazy(() => import('./ProductList'));

export const SALES_TABS = ['board', 'opportunities', 'products', 'orders', 'reports'] as const;
type SalesTab = (typeof SALES_TABS)[number];

/** Orders and reports are served by a later version of the API. */
function Later({ what }: { what: SalesTab }) {
  const { t } = useTranslation();
  return <Result icon={<ClockCircleOutlined />} title={t(`sales.tabs.${what}`)} subTitle={t('sales.later')} data-testid="sales-coming-soon" />;
}

/** The module's top pages, one tab each: board (default), opportunities, products, orders, reports. */
function TabbedPage({ active }: { active: SalesTab }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const page: Record<SalesTab, React.ReactNode> = {
    board: <PipelineBoard />,
    opportunities: <OpportunityList />,
    products: <ProductList />,
    orders: <Later what="orders" />,
    reports: <Later what="reports" />,
  };
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>{t('nav.sales')}</Typography.Title>
      </div>
      <Tabs
        activeKey={active}
        onChange={(k) => navigate(k === 'board' ? '/sales' : `/sales/${k}`)}
        destroyOnHidden
        items={SALES_TABS.map((k) => ({ key: k, label: <span data-testid={`sales-tab-${k}`}>{t(`sales.tabs.${k}`)}</span>, children: k === active ? page[k] : null }))}
      />
    </div>
  );
}

/** The sales module's routes under `/sales`. */
export default function Sales() {
  return (
    <Suspense fallback={<Spin />}>
      <Routes>
        <Route index element={<TabbedPage active="board" />} />
        <Route path="board" element={<TabbedPage active="board" />} />
        <Route path="opportunities" element={<TabbedPage active="opportunities" />} />
        <Route path="opportunities/new" element={<OpportunityCreate />} />
        <Route path="opportunities/:id" element={<OpportunityShow />} />
        <Route path="opportunities/:id/edit" element={<OpportunityEdit />} />
        <Route path="products" element={<TabbedPage active="products" />} />
        <Route path="orders" element={<TabbedPage active="orders" />} />
        <Route path="reports" element={<TabbedPage active="reports" />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}
