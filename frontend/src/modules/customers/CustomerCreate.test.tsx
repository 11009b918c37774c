import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { adminMe, json, renderWithApp } from '../../test/render';
import CustomerCreate from './CustomerCreate';

afterEach(() => vi.unstubAllGlobals());

describe('CustomerCreate', () => {
  it('a double click on save creates one customer: one request, or repeats with the same key', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const posts: (string | null)[] = [];
    let answer: (() => void) | undefined;
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/customers' && req.method === 'POST') {
        posts.push(req.headers.get('Idempotency-Key'));
        // the answer waits until the test has clicked twice, as a slow server would
        await new Promise<void>((resolve) => { answer = resolve; });
        return json(201, { id: 'c9', name: '双击', version: 1 });
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    renderWithApp(<CustomerCreate />, { path: '/customers/new' });

    await user.type(await screen.findByTestId('customer-name'), '双击');
    await user.dblClick(screen.getByTestId('customer-save'));
    await waitFor(() => expect(posts.length).toBeGreaterThan(0));
    // while saving, the button shows it and takes no more clicks
    await waitFor(() => expect(screen.getByTestId('customer-save')).toHaveClass('ant-btn-loading'));
    await user.click(screen.getByTestId('customer-save'));
    answer?.();
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/customers/c9'), { timeout: 10_000 });
    expect(posts).toHaveLength(1);
    expect(posts[0]).toBeTruthy();
  }, 30_000);
});
