import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import i18n from '../../i18n';
import type { Requirement } from '../../api/types';
import { demand, DEFAULT_WEIGHTS, formulaText, scoreBreakdown } from './score';
import { ScoreBreakdown } from './ScoreBreakdown';

const req = (over: Partial<Requirement>): Requirement =>
  ({ id: 'r1', number: 'REQ-000001', title: 'Export', importance: 3, urgency: 3, effort: 3, requester_count: 1, score: 0, ...over }) as Requirement;

describe('the priority score', () => {
  it('follows 10 × (w_i·importance + w_u·urgency + w_d·demand) / effort like the server', () => {
    // the server's own examples (crates/domain requirements tests)
    expect(scoreBreakdown(req({ importance: 5, urgency: 4, effort: 2, requester_count: 1 }), DEFAULT_WEIGHTS).score).toBeCloseTo(19.5, 9);
    expect(scoreBreakdown(req({ importance: 3, urgency: 3, effort: 3, requester_count: 4 }), DEFAULT_WEIGHTS).score).toBeCloseTo(10, 9);
  });

  it('takes demand as min(5, 1 + log2(customers)), none counting as one', () => {
    expect(demand(0)).toBe(1);
    expect(demand(1)).toBe(1);
    expect(demand(2)).toBe(2);
    expect(demand(3)).toBeCloseTo(1 + Math.log2(3), 12);
    expect(demand(16)).toBe(5);
    expect(demand(1000)).toBe(5);
  });

  it('uses the weights it is given, term by term', () => {
    const b = scoreBreakdown(req({ importance: 2, urgency: 5, effort: 4, requester_count: 8 }), { importance: 1, urgency: 0, demand: 2 });
    expect(b.terms.map((t) => [t.key, t.weight, t.value, t.product])).toEqual([
      ['importance', 1, 2, 2],
      ['urgency', 0, 5, 0],
      ['demand', 2, 4, 8],
    ]);
    expect(b.sum).toBe(10);
    expect(b.score).toBe(25);
  });

  it('writes the formula with the weights', () => {
    expect(formulaText(DEFAULT_WEIGHTS, { importance: 'i', urgency: 'u', demand: 'd', effort: 'e' }, 'en')).toBe('10 × (0.5·i + 0.3·u + 0.2·d) / e');
  });

  it('shows each term and the result the server stored', async () => {
    await i18n.changeLanguage('en');
    render(<ScoreBreakdown requirement={req({ importance: 5, urgency: 4, effort: 2, requester_count: 2, score: 21.5 })} weights={DEFAULT_WEIGHTS} />);
    // demand of 2 customers = 2: 2.5 + 1.2 + 0.4 = 4.1 → 10 × 4.1 / 2 = 20.5
    expect(screen.getByTestId('score-term-importance')).toHaveTextContent('0.5 × 5 = 2.5');
    expect(screen.getByTestId('score-term-urgency')).toHaveTextContent('0.3 × 4 = 1.2');
    expect(screen.getByTestId('score-term-demand')).toHaveTextContent('0.2 × 2 = 0.4');
    expect(screen.getByTestId('score-computed')).toHaveTextContent('10 × 4.1 / 2 = 20.5');
  });
});
