import { lazy, Suspense } from 'react';
import { Spin, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useNavigate } from 'react-router';
import { NotFound } from '../../app/NotFound';
import { useDocumentTitle } from '../../ui/documentTitle';
import PipelineBoard from './PipelineBoard';

const OpportunityList = lazy(() => import('./OpportunityList'));
const OpportunityCreate = lazy(() => import('./OpportunityCreate'));
const OpportunityShow = lazy(() => import('./OpportunityShow'));
const OpportunityEdit = lazy(() => import('./OpportunityEdit'));
const ProductList = lazy(() => import('./ProductList'));
const Reports = lazy(() => import('./Reports'));
const OrderList = lazy(() => import('./OrderList'));
const OrderShow = lazy(() => import('./OrderShow'));
const OrderCreate = lazy(() => import('./OrderForm').then((m) => ({ default: m.OrderCreate })));
const OrderEdit = lazy(() => import('./OrderForm').then((m) => ({ default: m.OrderEdit })));

export const SALES_TABS = ['board', 'opportunities', 'products', 'orders', 'reports'] as const;
type SalesTab = (typeof SALES_TABS)[number];

/** The module's top pages, one tab each: board (default), opportunities, products, orders, reports. */
function TabbedPage({ active }: { active: SalesTab }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  useDocumentTitle(t(`sales.tabs.${active}`), t('nav.sales'));
  const page: Record<SalesTab, React.ReactNode> = {
    board: <PipelineBoard />,
    opportunities: <OpportunityList />,
    products: <ProductList />,
    orders: <OrderList />,
    reports: <Reports />,
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
        <Route path="orders/new" element={<OrderCreate />} />
        <Route path="orders/:id" element={<OrderShow />} />
        <Route path="orders/:id/edit" element={<OrderEdit />} />
        <Route path="reports" element={<TabbedPage active="reports" />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}
