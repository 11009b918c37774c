import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp } from 'antd';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { createQueryClient } from '../../app/queryClient';
import { adminMe, json } from '../../test/render';
import { article, categories } from './kb.fixtures.test-utils';
import KbArticleShow from './KbArticleShow';

afterEach(() => vi.unstubAllGlobals());

const me = { ...adminMe, permissions: { ...adminMe.permissions, service: { read: 'all', create: 'all', update: 'all', delete: 'none', export: 'all' } } };

function serve() {
  const calls: string[] = [];
  let current = article({ body: '## 步骤\n\n<img src=x onerror="alert(1)">' });
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    calls.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === '/api/v1/auth/me') return json(200, me);
    if (url.pathname === '/api/v1/kb/categories') return json(200, { data: categories });
    if (url.pathname === '/api/v1/kb/articles/a1' && req.method === 'GET') {
      if (url.searchParams.get('count_view') === 'true') current = { ...current, view_count: current.view_count + 1 };
      return json(200, current);
    }
    if (url.pathname === '/api/v1/kb/articles/a1/votes') {
      const { helpful } = (await req.json()) as { helpful: boolean };
      current = { ...current, helpful_count: current.helpful_count + (helpful ? 1 : 0) };
      return json(200, current);
    }
    if (url.pathname === '/api/v1/tickets') {
      return json(200, { data: [], next_cursor: null, total: 0 });
    }
    return json(404, { type: 'about:blank', title: 'Not found', status: 404 });
  }));
  return calls;
}

function renderAt(entry: { pathname: string; state?: unknown }) {
  return render(
    <QueryClientProvider client={createQueryClient()}>
      <AntApp>
        <MemoryRouter initialEntries={[entry]}>
          <Routes>
            <Route path="/service/kb/articles/:id" element={<KbArticleShow />} />
          </Routes>
        </MemoryRouter>
      </AntApp>
    </QueryClientProvider>,
  );
}

describe('<KbArticleShow>', () => {
  it('counts one view on opening, not on the refetch after a vote; renders the Markdown without its HTML; lists the tickets it solved', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const calls = serve();
    const user = userEvent.setup();
    renderAt({ pathname: '/service/kb/articles/a1' });
    expect(await screen.findByTestId('article-title', {}, { timeout: 10_000 })).toHaveTextContent('打印机卡纸怎么办');
    expect(screen.getByTestId('article-body').querySelector('h2')).toHaveTextContent('步骤');
    expect(screen.getByTestId('article-body').querySelector('img')).toBeNull();
    expect(screen.getByTestId('article-views')).toHaveTextContent('11');
    expect(await screen.findByText('硬件 / 打印机')).toBeInTheDocument();
    await waitFor(() => expect(calls).toContain('GET /api/v1/tickets?article_id=a1&limit=20&include_total=true'));
    expect(await screen.findByText('Not used on a ticket yet')).toBeInTheDocument();

    await user.click(screen.getByTestId('vote-helpful'));
    expect(await screen.findByTestId('vote-thanks')).toBeInTheDocument();
    expect(screen.getByTestId('article-helpful')).toHaveTextContent('5');
    expect(calls.filter((c) => c.includes('count_view=true'))).toHaveLength(1);
  }, 30_000);

  it('does not count a view when coming back from the editor', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const calls = serve();
    renderAt({ pathname: '/service/kb/articles/a1', state: { counted: true } });
    expect(await screen.findByTestId('article-title', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(calls.filter((c) => c.startsWith('GET /api/v1/kb/articles/a1'))).toEqual(['GET /api/v1/kb/articles/a1']);
    expect(screen.getByTestId('article-views')).toHaveTextContent('10');
  }, 30_000);
});
