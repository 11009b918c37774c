import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { App as AntApp } from 'antd';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { createQueryClient } from '../app/queryClient';

export const json = (status: number, body: unknown) =>
  new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json' },
  });

export const problem = (status: number, errors: { field: string; code: string; message: string }[] = [], detail = 'Invalid fields') =>
  json(status, { type: '/problems/validation', title: 'Validation failed', status, detail, errors });

const full = { read: 'all', create: 'all', update: 'all', delete: 'all', export: 'all' };
export const adminMe = {
  id: 'u1', email: 'admin@example.com', display_name: 'Admin', locale: 'en', active: true,
  role: { id: 'r1', key: 'admin', name: 'Administrator' }, teams: [], time_zone: 'Asia/Shanghai', two_factor_enabled: false, two_factor_required: false,
  permissions: Object.fromEntries(['customers', 'contacts', 'activities', 'users', 'teams', 'roles'].map((r) => [r, full])),
};

/** Shows the current location, so tests can see where a click navigated to. */
export function Where() {
  const loc = useLocation();
  return <div data-testid="location">{`${loc.pathname}${loc.search}`}</div>;
}

/** Renders with the app's providers and a router at `path`. */
export function renderWithApp(ui: ReactElement, { path = '/', client = createQueryClient() }: { path?: string; client?: QueryClient } = {}) {
  const result = render(
    <QueryClientProvider client={client}>
      <AntApp>
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route path="*" element={<>{ui}<Where /></>} />
          </Routes>
        </MemoryRouter>
      </AntApp>
    </QueryClientProvider>,
  );
  return { ...result, client };
}
