import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { ArticleSummary } from '../../api/types';
import { json, renderWithApp } from '../../test/render';
import { ticket } from './fixtures.test-utils';
import { article, summary } from './kb.fixtures.test-utils';
import { TicketArticles } from './TicketArticles';

afterEach(() => vi.unstubAllGlobals());

function serve() {
  const linked: ArticleSummary[] = [];
  const calls: string[] = [];
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    calls.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === '/api/v1/tickets/t1/articles' && req.method === 'GET') return json(200, { data: linked });
    if (url.pathname === '/api/v1/tickets/t1/articles' && req.method === 'POST') {
      const { article_id } = (await req.json()) as { article_id: string };
      if (article_id === 'a1' && !linked.length) linked.push(summary(article({ ticket_count: 3 })));
      return json(200, article({ ticket_count: 3 }));
    }
    if (url.pathname === '/api/v1/tickets/t1/articles/a1' && req.method === 'DELETE') {
      linked.length = 0;
      return new Response(null, { status: 204 });
    }
    if (url.pathname === '/api/v1/kb/articles') {
      const q = url.searchParams.get('q');
      return json(200, { data: q === 'Printer jams' ? [summary()] : [], next_cursor: null, total: q === 'Printer jams' ? 1 : 0 });
    }
    if (url.pathname === '/api/v1/kb/articles/a1') return json(200, article());
    return json(404, { type: 'about:blank', title: 'Not found', status: 404 });
  }));
  return { calls, linked };
}

describe('<TicketArticles>', () => {
  it('searches with the subject, reads an article in a drawer (one view), links it and unlinks it', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const { calls } = serve();
    const user = userEvent.setup();
    renderWithApp(<TicketArticles ticket={ticket({ subject: 'Printer jams' })} canUpdate />);

    // the search starts from the ticket's subject, published articles only
    const result = await screen.findByTestId('ticket-article-result', {}, { timeout: 10_000 });
    expect(result).toHaveTextContent('打印机卡纸怎么办');
    const search = calls.find((c) => c.startsWith('GET /api/v1/kb/articles?'));
    expect(Object.fromEntries(new URLSearchParams(search?.split('?')[1]))).toMatchObject({ q: 'Printer jams', status: 'published' });
    expect(screen.getByTestId('ticket-linked-articles')).toHaveTextContent('No article linked yet');

    // open it beside the ticket: the read counts one view
    await user.click(within(result).getByTestId('ticket-article-open'));
    expect(await screen.findByTestId('drawer-article-title')).toHaveTextContent('打印机卡纸怎么办');
    expect(screen.getByTestId('drawer-article-body').querySelector('h2')).toHaveTextContent('步骤');
    expect(calls.filter((c) => c.startsWith('GET /api/v1/kb/articles/a1'))).toEqual(['GET /api/v1/kb/articles/a1?count_view=true']);

    // "used to solve this ticket"
    await user.click(screen.getByTestId('drawer-link'));
    await waitFor(() => expect(calls).toContain('POST /api/v1/tickets/t1/articles'));
    expect(await screen.findByTestId('linked-article')).toHaveTextContent('打印机卡纸怎么办');
    expect(await screen.findByTestId('drawer-linked')).toBeInTheDocument();
    // the refetch after linking does not count another view
    expect(calls.filter((c) => c.includes('count_view=true'))).toHaveLength(1);

    // unlink
    await user.click(screen.getByTestId('article-unlink'));
    await user.click(await screen.findByTestId('article-unlink-confirm'));
    await waitFor(() => expect(calls).toContain('DELETE /api/v1/tickets/t1/articles/a1'));
    await waitFor(() => expect(screen.queryByTestId('linked-article')).toBeNull());
  }, 30_000);
});
