import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { adminMe, json, renderWithApp } from '../../test/render';
import { board, opp, pipeline, STAGES } from './fixtures.test-utils';
import PipelineBoard from './PipelineBoard';

afterEach(() => vi.unstubAllGlobals());

const column = (key: string) => {
  const el = document.querySelector(`[data-testid=board-column][data-stage-key="${key}"]`);
  if (!(el instanceof HTMLElement)) throw new Error(`no column ${key}`);
  return el;
};

function stubApi(seen: string[]) {
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    seen.push(`${url.pathname}${url.search}`);
    if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
    if (url.pathname === '/api/v1/pipelines') return json(200, { data: [pipeline], next_cursor: null });
    if (url.pathname === '/api/v1/pipelines/p1/board') return json(200, board());
    if (url.pathname === '/api/v1/opportunities') {
      return json(200, { data: [opp('o7', 'Seventh deal', STAGES[0]!, 300000)], next_cursor: null });
    }
    return json(200, { data: [], next_cursor: null });
  }));
}

describe('PipelineBoard', () => {
  it('heads each column with its count, amount and weighted sums per currency, in the UI language', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const seen: string[] = [];
    stubApi(seen);
    renderWithApp(<PipelineBoard />, { path: '/sales?owner_id=u9&expected_close_from=2026-01-01' });
    await screen.findByText('Lathe service');

    const first = column('initial_contact');
    expect(within(first).getByTestId('column-count')).toHaveTextContent('3');
    const cny = first.querySelector('[data-currency=CNY]') as HTMLElement;
    expect(within(cny).getByTestId('column-amount')).toHaveTextContent('CN¥15,345.67');
    expect(within(cny).getByTestId('column-weighted')).toHaveTextContent('CN¥1,534.57');
    const usd = first.querySelector('[data-currency=USD]') as HTMLElement;
    expect(within(usd).getByTestId('column-amount')).toHaveTextContent('$5,000.00');
    expect(within(usd).getByTestId('column-weighted')).toHaveTextContent('$500.00');
    expect(within(column('negotiation')).getByTestId('column-amount')).toHaveTextContent('CN¥20,000.00');
    expect(within(column('negotiation')).getByTestId('column-weighted')).toHaveTextContent('CN¥15,000.00');
    // an empty column says so instead of ¥0
    expect(within(column('won')).getByTestId('column-count')).toHaveTextContent('0');
    expect(within(column('won')).getByTestId('column-sums')).toHaveTextContent('No amount');
    // the filters in the URL reach the board request
    expect(seen).toContain('/api/v1/pipelines/p1/board?owner_id=u9&expected_close_from=2026-01-01&cards=20');

    // "load more" continues the column with the same filters
    await userEvent.setup().click(within(first).getByTestId('column-more'));
    expect(await within(first).findByText('Seventh deal')).toBeInTheDocument();
    expect(seen.some((s) => s.startsWith('/api/v1/opportunities?') && s.includes('stage_id=s-initial_contact') && s.includes('cursor=more-initial') && s.includes('owner_id=u9'))).toBe(true);
    await waitFor(() => expect(within(first).queryByTestId('column-more')).toBeNull());
  }, 30_000);

  it('formats the sums for Chinese readers in zh-CN', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    stubApi([]);
    renderWithApp(<PipelineBoard />, { path: '/sales' });
    await screen.findByText('Lathe service');
    expect(within(column('negotiation')).getByTestId('column-amount')).toHaveTextContent('¥20,000.00');
    expect(within(column('won')).getByTestId('column-sums')).toHaveTextContent('暂无金额');
    await i18n.changeLanguage('en');
  }, 30_000);
});
