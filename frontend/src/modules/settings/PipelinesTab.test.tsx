import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Pipeline } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { pipeline } from '../sales/fixtures.test-utils';
import { moveStage, PipelinesTab, stageKeyFrom } from './PipelinesTab';

afterEach(() => vi.unstubAllGlobals());

const rowOf = (key: string) => {
  const el = document.querySelector(`[data-testid=stage-row][data-stage-key="${key}"]`);
  if (!(el instanceof HTMLElement)) throw new Error(`no row ${key}`);
  return el;
};

describe('PipelinesTab', () => {
  it('explains a refused delete of a stage in use and offers to retire it instead; reorders with If-Match', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    let current: Pipeline = { ...pipeline, stages: pipeline.stages.map((s) => ({ ...s })) };
    const calls: { method: string; path: string; body: unknown; ifMatch: string | null }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/pipelines' && req.method === 'GET') return json(200, { data: [current], next_cursor: null });
      if (req.method !== 'GET') {
        const body = req.method === 'DELETE' ? null : ((await req.json()) as Record<string, unknown>);
        calls.push({ method: req.method, path: url.pathname, body, ifMatch: req.headers.get('If-Match') });
        if (req.method === 'DELETE') {
          return json(409, {
            type: '/problems/conflict',
            title: 'Conflict',
            status: 409,
            code: 'pipeline.stage_in_use',
            detail: '3 opportunities are in this stage; retire it instead',
          });
        }
        if (url.pathname.endsWith('/reorder')) {
          const ids = (body as { stage_ids: string[] }).stage_ids;
          current = { ...current, version: current.version + 1, stages: ids.map((id, i) => ({ ...current.stages.find((s) => s.id === id)!, position: i + 1 })) };
          return json(200, current);
        }
        current = { ...current, stages: current.stages.map((s) => (url.pathname.endsWith(s.id) ? { ...s, ...(body as object) } : s)) };
        return json(200, current);
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    renderWithApp(<PipelinesTab />);
    await screen.findByTestId('stages-table');

    await user.click(within(rowOf('negotiation')).getByTestId('stage-delete'));
    await waitFor(() => expect(document.querySelector('.ant-popconfirm .ant-btn-primary')).not.toBeNull());
    await user.click(document.querySelector('.ant-popconfirm .ant-btn-primary') as HTMLElement);
    expect(await screen.findByText('3 opportunities are in this stage; retire it instead')).toBeInTheDocument();
    await user.click(screen.getByTestId('stage-retire-instead'));
    await waitFor(() => expect(calls.at(-1)).toMatchObject({ method: 'PATCH', path: '/api/v1/pipelines/p1/stages/s-negotiation', body: { retired: true } }));
    expect(await within(rowOf('negotiation')).findByTestId('stage-retired')).toBeInTheDocument();

    await user.click(within(rowOf('negotiation')).getByTestId('stage-up'));
    await waitFor(() =>
      expect(calls.at(-1)).toEqual({
        method: 'POST', path: '/api/v1/pipelines/p1/stages/reorder', ifMatch: '"1"',
        body: { stage_ids: ['s-negotiation', 's-initial_contact', 's-won', 's-lost'] },
      }),
    );
  }, 30_000);

  it('swaps neighbours and derives keys from Latin names', () => {
    expect(moveStage(['a', 'b', 'c'], 'b', -1)).toEqual(['b', 'a', 'c']);
    expect(moveStage(['a', 'b', 'c'], 'c', 1)).toEqual(['a', 'b', 'c']);
    expect(stageKeyFrom('Contract Review')).toBe('contract_review');
    expect(stageKeyFrom('合同审核')).toBe('');
    expect(stageKeyFrom('2nd demo')).toBe('s_2nd_demo');
  });
});
