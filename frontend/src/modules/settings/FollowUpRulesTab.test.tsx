import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { FollowUpRule } from '../../api/types';
import { adminMe, json, problem, renderWithApp } from '../../test/render';
import { FollowUpRulesTab, rulePatch } from './FollowUpRulesTab';

const rule: FollowUpRule = {
  id: 'r1', lifecycle_stage: 'prospect', silent_days: 14, due_in_days: 1, priority: 'normal', active: true,
  created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z', version: 2,
};

function formItemOf(testId: string): HTMLElement {
  const el = screen.getByTestId(testId).closest('.ant-form-item');
  if (!(el instanceof HTMLElement)) throw new Error(`no form item around ${testId}`);
  return el;
}

afterEach(() => vi.unstubAllGlobals());

describe('FollowUpRulesTab', () => {
  it('lists rules, toggles one with If-Match and shows field errors of a new one', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    let current = { ...rule };
    const calls: { method: string; path: string; ifMatch: string | null; body: unknown }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/follow-up-rules' && req.method === 'GET') return json(200, { data: [current], next_cursor: null });
      if (req.method !== 'GET') {
        const body = (await req.json()) as Record<string, unknown>;
        calls.push({ method: req.method, path: url.pathname, ifMatch: req.headers.get('If-Match'), body });
        if (req.method === 'PATCH') {
          current = { ...current, ...body, version: current.version + 1 };
          return json(200, current);
        }
        return problem(422, [{ field: 'silent_days', code: 'range', message: 'must be between 1 and 3650' }, { field: 'lifecycle_stage', code: 'taken', message: 'this stage already has a rule' }]);
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    renderWithApp(<FollowUpRulesTab />);
    const table = await screen.findByTestId('rules-table');
    await waitFor(() => expect(within(table).getByText('Prospect: silent 14 days → task due in 1 days')).toBeInTheDocument());

    await user.click(within(table).getByTestId('rule-active'));
    await waitFor(() => expect(calls[0]).toEqual({ method: 'PATCH', path: '/api/v1/follow-up-rules/r1', ifMatch: '"2"', body: { active: false } }));

    await user.click(screen.getByTestId('rule-new'));
    await user.click(await screen.findByTestId('rule-save'));
    await waitFor(() => expect(within(formItemOf('rule-silent-days')).getByText('must be between 1 and 3650')).toBeInTheDocument());
    expect(within(formItemOf('rule-stage')).getByText('this stage already has a rule')).toBeInTheDocument();
    expect(calls[1]).toMatchObject({ method: 'POST', body: { lifecycle_stage: 'prospect', silent_days: 14, due_in_days: 1, priority: 'normal', active: true } });
  }, 30_000);

  it('patches only the changed fields', () => {
    expect(rulePatch(rule, { lifecycle_stage: 'prospect', silent_days: 7, due_in_days: 1, priority: 'high', active: true })).toEqual({ silent_days: 7, priority: 'high' });
  });
});
