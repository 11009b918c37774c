import type { PriorityWeights } from '../../api/types';

/** The server's default weights (`PriorityWeights::default`). */
export const DEFAULT_WEIGHTS: PriorityWeights = { importance: 0.5, urgency: 0.3, demand: 0.2 };

/** Demand from the number of requesting customers: `min(5, 1 + log2(n))`; none yet counts as one. */
export function demand(requestingCustomers: number): number {
  const n = Math.max(1, requestingCustomers);
  return Math.min(5, 1 + Math.log2(n));
}

export interface ScoreTerm {
  key: 'importance' | 'urgency' | 'demand';
  weight: number;
  value: number;
  /** weight × value */
  product: number;
}

export interface ScoreBreakdown {
  terms: ScoreTerm[];
  /** Σ weight × value */
  sum: number;
  effort: number;
  /** 10 × sum / effort, as the server computes it. */
  score: number;
}

/** `10 × (w_i·importance + w_u·urgency + w_d·demand) / effort`, term by term. */
export function scoreBreakdown(
  r: { importance: number; urgency: number; effort: number; requester_count: number },
  weights: PriorityWeights,
): ScoreBreakdown {
  const values = { importance: r.importance, urgency: r.urgency, demand: demand(r.requester_count) };
  const terms: ScoreTerm[] = (['importance', 'urgency', 'demand'] as const).map((key) => ({
    key,
    weight: weights[key],
    value: values[key],
    product: weights[key] * values[key],
  }));
  const sum = terms.reduce((a, x) => a + x.product, 0);
  const effort = Math.max(1, r.effort);
  return { terms, sum, effort, score: (10 * sum) / effort };
}

/** A score or factor with at most `digits` decimals (trailing zeros dropped). */
export function formatScore(v: number, locale: string, digits = 2): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(v);
}

/** The formula written with the weights, e.g. `10 × (0.5·importance + 0.3·urgency + 0.2·demand) / effort`. */
export function formulaText(
  weights: PriorityWeights,
  labels: { importance: string; urgency: string; demand: string; effort: string },
  locale: string,
): string {
  const w = (x: number) => formatScore(x, locale, 3);
  return `10 × (${w(weights.importance)}·${labels.importance} + ${w(weights.urgency)}·${labels.urgency} + ${w(weights.demand)}·${labels.demand}) / ${labels.effort}`;
}
