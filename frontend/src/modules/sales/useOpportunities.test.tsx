import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import { QueryClientProvider } from '@tanstack/react-query';
import { createQueryClient } from '../../app/queryClient';
import { tokenStore } from '../../api/tokens';
import type { Board } from '../../api/types';
import { json, problem } from '../../test/render';
import { A, board, STAGES } from './fixtures.test-utils';
import { opportunityKeys, useMoveOpportunity } from './useOpportunities';

afterEach(() => vi.unstubAllGlobals());

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const columnOf = (b: Board | undefined, id: string) => b?.columns.find((c) => c.cards.some((x) => x.id === id))?.stage.key;

describe('useMoveOpportunity', () => {
  it('shows the move at once and puts the board back when the server refuses it', async () => {
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const answer = deferred<Response>();
    const sent: { body: unknown; ifMatch: string | null }[] = [];
    const original = board();
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === `/api/v1/opportunities/${A.id}/stage`) {
        sent.push({ body: await req.json(), ifMatch: req.headers.get('If-Match') });
        return answer.promise;
      }
      if (url.pathname === '/api/v1/pipelines/p1/board') return json(200, original);
      return json(200, { data: [], next_cursor: null });
    }));
    const client = createQueryClient();
    const key = opportunityKeys.board('p1', {});
    client.setQueryData(key, board());
    const { result } = renderHook(() => useMoveOpportunity(), {
      wrapper: ({ children }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>,
    });

    act(() => result.current.mutate({ opportunity: A, to: STAGES[1]! }));
    // optimistic: the card is in negotiation before the server answers
    await waitFor(() => expect(columnOf(client.getQueryData<Board>(key), A.id)).toBe('negotiation'));
    expect(client.getQueryData<Board>(key)?.columns[1]?.count).toBe(2);
    expect(sent).toEqual([{ body: { stage_id: 's-negotiation' }, ifMatch: '"4"' }]);

    answer.resolve(problem(409, [], 'a closed opportunity moves only when reopened explicitly'));
    await waitFor(() => expect(result.current.isError).toBe(true));
    // rolled back: the card, the counts and the sums are as they were
    const after = client.getQueryData<Board>(key);
    expect(columnOf(after, A.id)).toBe('initial_contact');
    expect(after?.columns[0]?.count).toBe(3);
    expect(after?.columns[1]?.count).toBe(1);
    expect(after?.columns[0]?.sums).toEqual(original.columns[0]?.sums);
  });

  it('keeps the server copy of a card once the move succeeds', async () => {
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const moved = { ...A, stage: STAGES[3]!, loss_reason: 'Price', effective_probability: 0, weighted_amount_minor: 0, version: 5 };
    const bodies: unknown[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === `/api/v1/opportunities/${A.id}/stage`) {
        bodies.push(await req.json());
        return json(200, moved);
      }
      // the refetch after the move is slow, so the cache shows the server's card meanwhile
      return new Promise<Response>(() => undefined);
    }));
    const client = createQueryClient();
    const key = opportunityKeys.board('p1', {});
    client.setQueryData(key, board());
    const { result } = renderHook(() => useMoveOpportunity(), {
      wrapper: ({ children }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>,
    });
    act(() => result.current.mutate({ opportunity: A, to: STAGES[3]!, loss_reason: 'Price' }));
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(bodies).toEqual([{ stage_id: 's-lost', loss_reason: 'Price' }]);
    const lostCard = client.getQueryData<Board>(key)?.columns[3]?.cards[0];
    expect(lostCard).toMatchObject({ id: A.id, version: 5, loss_reason: 'Price' });
    expect(client.getQueryData(opportunityKeys.one(A.id))).toMatchObject({ version: 5 });
  });
});
