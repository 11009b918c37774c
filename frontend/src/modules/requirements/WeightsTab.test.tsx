import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { problem, renderWithApp } from '../../test/render';
import { stubApi } from './fixtures.test-utils';
import { checkWeights, WeightsTab } from './WeightsTab';

beforeEach(async () => {
  await i18n.changeLanguage('en');
});
afterEach(() => vi.unstubAllGlobals());

const settings = (etag: string, weights = { importance: 0.5, urgency: 0.3, demand: 0.2 }) =>
  new Response(JSON.stringify({ weights }), { status: 200, headers: { 'Content-Type': 'application/json', ETag: etag } });

async function setWeight(key: string, value: string) {
  const el = screen.getByTestId(`weight-${key}`);
  const input = el instanceof HTMLInputElement ? el : (el.querySelector('input') as HTMLInputElement);
  const user = userEvent.setup();
  await user.tripleClick(input);
  await user.keyboard(value);
  await user.tab();
  return user;
}

describe('the weights settings', { timeout: 30_000 }, () => {
  it('checks weights like the server: 0–10 each, not all zero', () => {
    expect(checkWeights({ importance: 0.5, urgency: 0.3, demand: 0.2 })).toBeNull();
    expect(checkWeights({ importance: 0, urgency: 0, demand: 0 })).toBe('allZero');
    expect(checkWeights({ importance: 11, urgency: 0, demand: 0 })).toBe('range');
    expect(checkWeights({ importance: 1, urgency: -1, demand: 0 })).toBe('range');
    expect(checkWeights({ importance: 1, urgency: 1 })).toBe('range');
  });

  it('shows the formula with the weights, saves with If-Match and shows the new formula', async () => {
    const puts: { body: unknown; ifMatch: string | null }[] = [];
    stubApi(async (req, url) => {
      if (url.pathname !== '/api/v1/settings/requirements') return undefined;
      if (req.method === 'PUT') {
        const body = (await req.json()) as { weights: { importance: number; urgency: number; demand: number } };
        puts.push({ body, ifMatch: req.headers.get('If-Match') });
        return settings('"4"', body.weights);
      }
      return settings('"3"');
    });
    renderWithApp(<WeightsTab />);
    expect(await screen.findByTestId('weights-formula')).toHaveTextContent('10 × (0.5·importance + 0.3·urgency + 0.2·demand) / effort');
    // 4, 3, effort 2, 4 customers (demand 3): 10 × (2 + 0.9 + 0.6) / 2 = 17.5
    expect(screen.getByTestId('weights-example')).toHaveTextContent('10 × 3.5 / 2 = 17.5');
    const user = await setWeight('demand', '1');
    await waitFor(() => expect(screen.getByTestId('weights-formula')).toHaveTextContent('+ 1·demand'));
    await user.click(screen.getByTestId('weights-save'));
    await waitFor(() => expect(puts).toHaveLength(1));
    expect(puts[0]).toEqual({ body: { weights: { importance: 0.5, urgency: 0.3, demand: 1 } }, ifMatch: '"3"' });
  });

  it('will not save all zeros', async () => {
    stubApi((_req, url) => (url.pathname === '/api/v1/settings/requirements' ? settings('"1"', { importance: 0, urgency: 0, demand: 1 }) : undefined));
    renderWithApp(<WeightsTab />);
    await screen.findByTestId('weights-formula');
    await setWeight('demand', '0');
    await waitFor(() => expect(screen.getByTestId('weights-problem')).toHaveTextContent('At least one weight must be above 0'));
    expect(screen.getByTestId('weights-save')).toBeDisabled();
  });

  it('reports a stale save (412) and a refused one (422) at the form', async () => {
    let answer = problem(412, [], 'stale');
    stubApi((req, url) => {
      if (url.pathname !== '/api/v1/settings/requirements') return undefined;
      return req.method === 'PUT' ? answer : settings('"1"');
    });
    renderWithApp(<WeightsTab />);
    await screen.findByTestId('weights-formula');
    const user = userEvent.setup();
    await user.click(screen.getByTestId('weights-save'));
    expect(await screen.findByTestId('stale-notice')).toBeInTheDocument();
    answer = problem(422, [{ field: 'weights.urgency', code: 'range', message: 'each weight must be between 0 and 10' }]);
    await user.click(screen.getByTestId('weights-save'));
    await waitFor(() =>
      expect(screen.getByTestId('weight-urgency').closest('.ant-form-item')?.querySelector('.ant-form-item-explain-error')).toHaveTextContent('each weight must be between 0 and 10'),
    );
  });
});
