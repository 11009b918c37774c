import { lazy, Suspense } from 'react';
import { Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { NotFound } from '../../app/NotFound';
import TicketQueue from './TicketQueue';

const TicketCreate = lazy(() => import('./TicketForm'));
const TicketShow = lazy(() => import('./TicketShow'));

function QueuePage() {
  const { t } = useTranslation();
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>{t('ticket.title')}</Typography.Title>
      </div>
      <TicketQueue />
    </div>
  );
}

/** `/service` opens the queue, keeping any query (a bookmarked view). */
function ToQueue() {
  const { search } = useLocation();
  return <Navigate to={`/service/tickets${search}`} replace />;
}

/** The service module's routes under `/service`: the ticket queue (default), a new ticket, a ticket. */
export default function Service() {
  return (
    <Suspense fallback={<Spin />}>
      <Routes>
        <Route index element={<ToQueue />} />
        <Route path="tickets" element={<QueuePage />} />
        <Route path="tickets/new" element={<TicketCreate />} />
        <Route path="tickets/:id" element={<TicketShow />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}
