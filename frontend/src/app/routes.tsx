import { lazy, Suspense, type ReactNode } from 'react';
import { Spin } from 'antd';
import { Route, Routes } from 'react-router';
import { RequireAuth } from '../modules/auth/RequireAuth';
import { useMe } from '../modules/auth/useSession';
import { can } from './permissions';
import type { Resource } from '../api/types';
import { AppLayout } from './AppLayout';
import { NotFound } from './NotFound';

const SignIn = lazy(() => import('../modules/auth/SignIn'));
// the customer portal: its own layout, session and routes; the staff app's navigation never shows there
const PortalApp = lazy(() => import('../modules/service/portal/PortalApp'));
const Dashboard = lazy(() => import('../modules/dashboard/Dashboard'));
const CustomerList = lazy(() => import('../modules/customers/CustomerList'));
const CustomerShow = lazy(() => import('../modules/customers/CustomerShow'));
const CustomerCreate = lazy(() => import('../modules/customers/CustomerCreate'));
const CustomerEdit = lazy(() => import('../modules/customers/CustomerEdit'));
const RecycleBin = lazy(() => import('../modules/customers/RecycleBin'));
const DuplicateGroups = lazy(() => import('../modules/customers/duplicates/DuplicateGroups'));
const ImportWizard = lazy(() => import('../modules/customers/imports/ImportWizard'));
const ImportHistory = lazy(() => import('../modules/customers/imports/ImportHistory'));
const Activities = lazy(() => import('../modules/activities/Activities'));
const Sales = lazy(() => import('../modules/sales/Sales'));
const Service = lazy(() => import('../modules/service/Service'));
const Requirements = lazy(() => import('../modules/requirements/Requirements'));
const Privacy = lazy(() => import('../modules/privacy/Privacy'));
const Settings = lazy(() => import('../modules/settings/Settings'));
const MySessions = lazy(() => import('../modules/auth/MySessions'));
const TwoFactorPage = lazy(() => import('../modules/auth/TwoFactorPage'));

function Loading() {
  return (
    <div className="full-center">
      <Spin />
    </div>
  );
}

/** A route only the roles that may read `resource` reach; others see "not found". */
function Guard({ resource, children }: { resource: Resource; children: ReactNode }) {
  const me = useMe();
  if (!can(me.data, resource, 'read')) return <NotFound />;
  return <>{children}</>;
}

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<SignIn />} />
        <Route path="/portal/*" element={<PortalApp />} />
        <Route
          element={
            <RequireAuth>
              <AppLayout />
            </RequireAuth>
          }
        >
          <Route index element={<Dashboard />} />
          <Route path="customers" element={<Guard resource="customers"><CustomerList /></Guard>} />
          <Route path="customers/new" element={<Guard resource="customers"><CustomerCreate /></Guard>} />
          <Route path="customers/recycle-bin" element={<Guard resource="customers"><RecycleBin /></Guard>} />
          <Route path="customers/duplicates" element={<Guard resource="customers"><DuplicateGroups /></Guard>} />
          <Route path="customers/import" element={<Guard resource="customers"><ImportWizard /></Guard>} />
          <Route path="customers/import/:id" element={<Guard resource="customers"><ImportWizard /></Guard>} />
          <Route path="customers/imports" element={<Guard resource="customers"><ImportHistory /></Guard>} />
          <Route path="customers/:id" element={<Guard resource="customers"><CustomerShow /></Guard>} />
          <Route path="customers/:id/edit" element={<Guard resource="customers"><CustomerEdit /></Guard>} />
          <Route path="activities/*" element={<Guard resource="activities"><Activities /></Guard>} />
          <Route path="sales/*" element={<Guard resource="sales"><Sales /></Guard>} />
          <Route path="service/*" element={<Guard resource="service"><Service /></Guard>} />
          <Route path="requirements/*" element={<Guard resource="requirements"><Requirements /></Guard>} />
          <Route path="privacy/*" element={<Guard resource="privacy"><Privacy /></Guard>} />
          <Route path="settings/*" element={<Guard resource="users"><Settings /></Guard>} />
          <Route path="account/sessions" element={<MySessions />} />
          <Route path="account/two-factor" element={<TwoFactorPage />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
