import { describe, expect, it } from 'vitest';
import { appendColumnPage, cardsToLoad, dropNeed, moveCardOnBoard, weighted } from './board';
import { A, B, board, C, opp, STAGES } from './fixtures.test-utils';

const [initial, negotiation, won, lost] = STAGES as [(typeof STAGES)[0], (typeof STAGES)[0], (typeof STAGES)[0], (typeof STAGES)[0]];

describe('board arithmetic', () => {
  it('weights half up like the server', () => {
    expect(weighted(1000, 25)).toBe(250);
    expect(weighted(1, 50)).toBe(1);
    expect(weighted(3, 10)).toBe(0);
    expect(weighted(12345678, 75)).toBe(9259259);
  });

  it('moves a card: it heads the target column, counts and per-currency sums follow', () => {
    const next = moveCardOnBoard(board(), A.id, negotiation);
    const [from, to] = next.columns;
    expect(from?.cards.map((c) => c.id)).toEqual([B.id]);
    expect(from?.count).toBe(2);
    expect(from?.sums).toEqual([
      { currency: 'CNY', amount_minor: 300000, weighted_minor: 30000 },
      { currency: 'USD', amount_minor: 500000, weighted_minor: 50000 },
    ]);
    expect(to?.cards.map((c) => c.id)).toEqual([A.id, C.id]);
    expect(to?.cards[0]?.stage.key).toBe('negotiation');
    expect(to?.cards[0]?.effective_probability).toBe(75);
    expect(to?.count).toBe(2);
    expect(to?.sums).toEqual([{ currency: 'CNY', amount_minor: 2000000 + 1234567, weighted_minor: 1500000 + 925925 }]);
  });

  it('adds a currency a column did not have and drops one whose last card left', () => {
    const next = moveCardOnBoard(board(), B.id, won);
    expect(next.columns[2]?.sums).toEqual([{ currency: 'USD', amount_minor: 500000, weighted_minor: 500000 }]);
    expect(next.columns[0]?.sums.map((s) => s.currency)).toEqual(['CNY']);
  });

  it('keeps a probability override when the stage changes', () => {
    const overridden = { ...opp('o9', 'Override', initial, 10000), probability: 40 };
    const b = board();
    b.columns[0]!.cards.push(overridden);
    const moved = moveCardOnBoard(b, 'o9', negotiation).columns[1]!.cards[0]!;
    expect(moved.effective_probability).toBe(40);
    expect(moved.weighted_amount_minor).toBe(4000);
  });

  it('appends a column page without duplicates and keeps the loaded count on refresh', () => {
    const next = appendColumnPage(board(), initial.id, [B, opp('o4', 'Fourth', initial, 1)], null);
    expect(next.columns[0]?.cards.map((c) => c.id)).toEqual([A.id, B.id, 'o4']);
    expect(next.columns[0]?.next_cursor).toBeNull();
    expect(cardsToLoad(undefined)).toBe(20);
    expect(cardsToLoad(next)).toBe(20);
  });

  it('knows what a drop needs from the user', () => {
    expect(dropNeed(A, initial)).toBe('same');
    expect(dropNeed(A, negotiation)).toBe('nothing');
    expect(dropNeed(A, lost)).toBe('loss_reason');
    const closed = opp('o5', 'Closed', won, 100);
    expect(dropNeed(closed, negotiation)).toBe('reopen');
    expect(dropNeed(closed, lost)).toBe('reopen_and_loss_reason');
    expect(dropNeed(A, { ...negotiation, retired: true })).toBe('retired');
  });
});
