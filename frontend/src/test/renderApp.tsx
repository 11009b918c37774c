import { render } from '@testing-library/react';
import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp } from 'antd';
import { MemoryRouter } from 'react-router';
import { createQueryClient } from '../app/queryClient';
import { AppRoutes } from '../app/routes';
import { Where } from './render';

/** Renders the app's own routes at `path` with its providers, and where it went (`location`). */
export function renderAppAt(path: string) {
  return render(
    <QueryClientProvider client={createQueryClient()}>
      <AntApp>
        <MemoryRouter initialEntries={[path]}>
          <AppRoutes />
          <Where />
        </MemoryRouter>
      </AntApp>
    </QueryClientProvider>,
  );
}
