import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Button, Result, Spin } from 'antd';
import { QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { portalTokenStore } from '../../../api/portalSession';
import { createQueryClient } from '../../../app/queryClient';
import { TitleSuffixProvider } from '../../../ui/documentTitle';
import { PortalLayout } from './PortalLayout';
import { portalLoginPath, usePortalMe, usePortalSignedIn } from './usePortalSession';
import './portal.css';

const PortalSignIn = lazy(() => import('./PortalSignIn'));
const PortalAccept = lazy(() => import('./PortalAccept'));
const PortalTickets = lazy(() => import('./PortalTickets'));
const PortalTicketForm = lazy(() => import('./PortalTicketForm'));
const PortalTicketShow = lazy(() => import('./PortalTicketShow'));
const PortalKb = lazy(() => import('./PortalKb'));
const PortalArticle = lazy(() => import('./PortalArticle'));

function Loading() {
  return (
    <div className="full-center">
      <Spin />
    </div>
  );
}

/** Portal pages need a portal session; without one (or when the server refuses it) the customer signs in again. */
function RequirePortal({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const signedIn = usePortalSignedIn();
  const location = useLocation();
  const qc = useQueryClient();
  const me = usePortalMe();
  useEffect(() => portalTokenStore.subscribe((e) => e === 'expired' && qc.clear()), [qc]);
  if (!signedIn) {
    return <Navigate to={portalLoginPath(`${location.pathname}${location.search}`, portalTokenStore.expired() ? 'expired' : undefined)} replace />;
  }
  if (me.isPending) return <Loading />;
  if (me.isError) {
    return <Result status="warning" title={t('common.loadFailed')} extra={<Button onClick={() => void me.refetch()}>{t('common.retry')}</Button>} />;
  }
  return <>{children}</>;
}

function PortalNotFound() {
  const { t } = useTranslation();
  return <Result status="404" title={t('common.notFound')} extra={<Link to="/portal"><Button type="primary">{t('portal.nav.tickets')}</Button></Link>} />;
}

/**
 * The customer portal under `/portal`: its own layout, routes, session (`crm.portal.session`) and query cache,
 * so nothing of the staff app (navigation, cached data, token) shows here.
 */
export default function PortalApp() {
  const { t } = useTranslation();
  const [client] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client}>
      {/* a customer's tabs carry the portal's name, not the staff app's */}
      <TitleSuffixProvider suffix={t('portal.brand')}>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="login" element={<PortalSignIn />} />
            <Route path="accept" element={<PortalAccept />} />
            <Route element={<RequirePortal><PortalLayout /></RequirePortal>}>
              <Route index element={<Suspense fallback={<Loading />}><PortalTickets /></Suspense>} />
              <Route path="tickets/new" element={<Suspense fallback={<Loading />}><PortalTicketForm /></Suspense>} />
              <Route path="tickets/:id" element={<Suspense fallback={<Loading />}><PortalTicketShow /></Suspense>} />
              <Route path="kb" element={<Suspense fallback={<Loading />}><PortalKb /></Suspense>} />
              <Route path="kb/:id" element={<Suspense fallback={<Loading />}><PortalArticle /></Suspense>} />
              <Route path="*" element={<PortalNotFound />} />
            </Route>
          </Routes>
        </Suspense>
      </TitleSuffixProvider>
    </QueryClientProvider>
  );
}
