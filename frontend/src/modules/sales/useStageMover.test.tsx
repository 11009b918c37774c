import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Opportunity } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { A, opp, pipeline, STAGES } from './fixtures.test-utils';
import OpportunityShow from './OpportunityShow';

afterEach(() => vi.unstubAllGlobals());

const sales = { read: 'all', create: 'all', update: 'all', delete: 'all', export: 'all' };

function stub(o: Opportunity, answer: (body: Record<string, unknown>) => Response, moves: unknown[]) {
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, { ...adminMe, permissions: { ...adminMe.permissions, sales } });
    if (url.pathname === '/api/v1/pipelines') return json(200, { data: [pipeline], next_cursor: null });
    if (url.pathname === `/api/v1/opportunities/${o.id}`) return json(200, o);
    if (url.pathname === `/api/v1/opportunities/${o.id}/stage`) {
      const body = (await req.json()) as Record<string, unknown>;
      moves.push({ body, ifMatch: req.headers.get('If-Match') });
      return answer(body);
    }
    return json(200, { data: [], next_cursor: null });
  }));
}

async function chooseStage(label: string) {
  const user = userEvent.setup();
  const select = await screen.findByTestId('opportunity-stage-select');
  await user.click(within(select).getByRole('combobox'));
  await user.click(await screen.findByTitle(label));
  return user;
}

function renderShow(id: string) {
  renderWithApp(
    <Routes>
      <Route path="/sales/opportunities/:id" element={<OpportunityShow />} />
    </Routes>,
    { path: `/sales/opportunities/${id}` },
  );
}

describe('stage moves from the detail page', () => {
  it('asks before reopening a won opportunity and then sends reopen: true', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const won = { ...opp('o8', 'Closed deal', STAGES[2]!, 100000), version: 9 };
    const moves: unknown[] = [];
    stub(won, () => json(200, { ...won, stage: STAGES[1], version: 10 }), moves);
    renderShow(won.id);
    expect(await screen.findByTestId('opportunity-title')).toHaveTextContent('Closed deal');
    const user = await chooseStage('Negotiation (75%)');
    expect(await screen.findByText('“Closed deal” is closed as Won. Moving it to Negotiation reopens it.')).toBeInTheDocument();
    expect(moves).toEqual([]);
    await user.click(screen.getByTestId('reopen-confirm'));
    await waitFor(() => expect(moves).toEqual([{ body: { stage_id: 's-negotiation', reopen: true }, ifMatch: '"9"' }]));
  }, 30_000);

  it('says why a win was refused (no amount)', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const moves: unknown[] = [];
    stub(A, () => json(422, {
      type: '/problems/validation', title: 'Validation failed', status: 422, code: 'opportunity.won_needs_amount',
      detail: 'an opportunity needs an amount greater than zero to be won',
      errors: [{ field: 'amount', code: 'won_needs_amount', message: 'an opportunity needs an amount greater than zero to be won' }],
    }), moves);
    renderShow(A.id);
    await screen.findByTestId('opportunity-title');
    await chooseStage('Won (100%)');
    expect(await screen.findByText('Enter an amount greater than zero before marking the deal won.')).toBeInTheDocument();
    expect(moves).toHaveLength(1);
  }, 30_000);
});
