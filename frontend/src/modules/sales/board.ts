import type { Board, BoardColumn, Opportunity, Stage, StageSum } from '../../api/types';

/** amount × probability %, rounded half up, as the server computes an opportunity's weighted amount. */
export function weighted(amountMinor: number, probability: number): number {
  return Math.floor((amountMinor * Math.min(100, Math.max(0, probability)) + 50) / 100);
}

function addToSums(sums: StageSum[], o: Pick<Opportunity, 'amount' | 'weighted_amount_minor'>, sign: 1 | -1): StageSum[] {
  const { currency, amount_minor } = o.amount;
  const found = sums.some((s) => s.currency === currency);
  const next = (found ? sums : [...sums, { currency, amount_minor: 0, weighted_minor: 0 }]).map((s) =>
    s.currency === currency
      ? { ...s, amount_minor: s.amount_minor + sign * amount_minor, weighted_minor: s.weighted_minor + sign * o.weighted_amount_minor }
      : s,
  );
  // a currency whose last card left shows no more
  return next.filter((s) => s.amount_minor !== 0 || s.weighted_minor !== 0);
}

/** Where a card is on the board. */
export function findCard(board: Board, opportunityId: string): { column: BoardColumn; card: Opportunity } | undefined {
  for (const column of board.columns) {
    const card = column.cards.find((c) => c.id === opportunityId);
    if (card) return { column, card };
  }
  return undefined;
}

/** The card as it will look in another stage: the stage's probability unless overridden. */
export function inStage(card: Opportunity, stage: Stage): Opportunity {
  const effective = card.probability ?? stage.probability;
  return { ...card, stage, effective_probability: effective, weighted_amount_minor: weighted(card.amount.amount_minor, effective) };
}

/**
 * The board after moving a card to another stage (or putting the server's copy of it in place):
 * the card leaves its column and heads the target one; counts and per-currency sums follow.
 */
export function moveCardOnBoard(board: Board, opportunityId: string, to: Stage, replacement?: Opportunity): Board {
  const at = findCard(board, opportunityId);
  if (!at) return board;
  const moved = replacement ?? inStage(at.card, to);
  return {
    ...board,
    columns: board.columns.map((col) => {
      let next = col;
      if (col.stage.id === at.column.stage.id) {
        next = { ...next, cards: next.cards.filter((c) => c.id !== opportunityId), count: Math.max(0, next.count - 1), sums: addToSums(next.sums, at.card, -1) };
      }
      if (col.stage.id === to.id) {
        next = { ...next, cards: [moved, ...next.cards.filter((c) => c.id !== opportunityId)], count: next.count + 1, sums: addToSums(next.sums, moved, 1) };
      }
      return next;
    }),
  };
}

/** The board with the next page of one column's cards appended. */
export function appendColumnPage(board: Board, stageId: string, cards: Opportunity[], nextCursor: string | null | undefined): Board {
  return {
    ...board,
    columns: board.columns.map((col) => {
      if (col.stage.id !== stageId) return col;
      const seen = new Set(col.cards.map((c) => c.id));
      return { ...col, cards: [...col.cards, ...cards.filter((c) => !seen.has(c.id))], next_cursor: nextCursor ?? null };
    }),
  };
}

/** How many cards each column should load: what the user already loaded (within the API's 20–100). */
export function cardsToLoad(board: Board | undefined): number {
  const most = Math.max(0, ...(board?.columns.map((c) => c.cards.length) ?? []));
  return Math.min(100, Math.max(20, most));
}

/** What a drop into a stage needs from the user before it is sent. */
export type DropNeed = 'nothing' | 'same' | 'loss_reason' | 'reopen' | 'reopen_and_loss_reason' | 'retired';

export function dropNeed(card: Opportunity, to: Stage): DropNeed {
  if (card.stage.id === to.id) return 'same';
  if (to.retired) return 'retired';
  const closed = card.stage.kind !== 'open';
  if (to.kind === 'lost') return closed ? 'reopen_and_loss_reason' : 'loss_reason';
  return closed ? 'reopen' : 'nothing';
}
