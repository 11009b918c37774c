import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { adminMe, json, renderWithApp } from '../../test/render';
import { A, pipeline } from './fixtures.test-utils';
import { LossReasonModal } from './LossReasonModal';
import OpportunityShow from './OpportunityShow';
import { Route, Routes } from 'react-router';

afterEach(() => vi.unstubAllGlobals());

describe('LossReasonModal', () => {
  it('needs a reason, offers common ones and hands back the trimmed text', async () => {
    await i18n.changeLanguage('en');
    const onSubmit = vi.fn();
    const onCancel = vi.fn();
    const user = userEvent.setup();
    renderWithApp(<LossReasonModal open opportunityName="Lathe service" stageName="Lost" onSubmit={onSubmit} onCancel={onCancel} />);
    expect(await screen.findByText('Why was “Lathe service” lost? (Lost)')).toBeInTheDocument();

    await user.click(screen.getByTestId('loss-reason-save'));
    expect(await screen.findByText('Say why the deal was lost')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('loss-reason-competitor'));
    expect(screen.getByTestId('loss-reason')).toHaveValue('Chose a competitor');
    await user.clear(screen.getByTestId('loss-reason'));
    await user.type(screen.getByTestId('loss-reason'), '  Cheaper offer from a rival  ');
    await user.click(screen.getByTestId('loss-reason-save'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith('Cheaper offer from a rival'));
  }, 30_000);

  it('is asked before a move to a lost stage; the reason goes with the move', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const moves: unknown[] = [];
    const sales = { read: 'all', create: 'all', update: 'all', delete: 'all', export: 'all' };
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, { ...adminMe, permissions: { ...adminMe.permissions, sales } });
      if (url.pathname === '/api/v1/pipelines') return json(200, { data: [pipeline], next_cursor: null });
      if (url.pathname === `/api/v1/opportunities/${A.id}` ) return json(200, A);
      if (url.pathname === `/api/v1/opportunities/${A.id}/stage`) {
        const body = (await req.json()) as { stage_id: string; loss_reason: string };
        moves.push(body);
        return json(200, { ...A, stage: pipeline.stages[3], loss_reason: body.loss_reason, version: 5 });
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    renderWithApp(
      <Routes>
        <Route path="/sales/opportunities/:id" element={<OpportunityShow />} />
      </Routes>,
      { path: `/sales/opportunities/${A.id}` },
    );
    expect(await screen.findByTestId('opportunity-title')).toHaveTextContent('Lathe service');
    const select = await screen.findByTestId('opportunity-stage-select');
    await user.click(within(select).getByRole('combobox'));
    await user.click(await screen.findByTitle('Lost (0%)'));
    // nothing is sent before the reason is given
    expect(await screen.findByTestId('loss-reason')).toBeInTheDocument();
    expect(moves).toEqual([]);
    await user.type(screen.getByTestId('loss-reason'), 'Budget frozen');
    await user.click(screen.getByTestId('loss-reason-save'));
    await waitFor(() => expect(moves).toEqual([{ stage_id: 's-lost', loss_reason: 'Budget frozen' }]));
  }, 30_000);
});
