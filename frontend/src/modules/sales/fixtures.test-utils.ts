import type { Board, Opportunity, Pipeline, Stage } from '../../api/types';

export const stage = (key: string, name: string, position: number, probability: number, kind: Stage['kind'] = 'open'): Stage => ({
  id: `s-${key}`, key, name, position, probability, kind, retired: false,
});

export const STAGES: Stage[] = [
  stage('initial_contact', 'Initial contact', 1, 10),
  stage('negotiation', 'Negotiation', 2, 75),
  stage('won', 'Won', 3, 100, 'won'),
  stage('lost', 'Lost', 4, 0, 'lost'),
];

export const pipeline: Pipeline = {
  id: 'p1', name: 'Default pipeline', is_default: true, stages: STAGES, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 1,
};

export function opp(id: string, name: string, s: Stage, amountMinor: number, currency = 'CNY'): Opportunity {
  return {
    id, name, customer_id: 'c1', customer_name: 'ACME Ltd', contact_id: null, pipeline_id: 'p1', stage: s,
    amount: { amount_minor: amountMinor, currency }, expected_close_date: '2026-06-30', probability: null,
    effective_probability: s.probability, weighted_amount_minor: Math.floor((amountMinor * s.probability + 50) / 100), source: null,
    campaign_id: null, competitors: [], description: null, loss_reason: null, lines: [], owner_id: 'u1', owner_name: 'Admin', team_id: null,
    stage_entered_at: '2026-03-01T00:00:00Z', closed_at: null, custom_fields: {}, created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z', version: 4,
  } as Opportunity;
}

const [initial, negotiation, won, lost] = STAGES as [Stage, Stage, Stage, Stage];
export const A = opp('o1', 'Lathe service', initial, 1234567);
export const B = opp('o2', 'Robot arm', initial, 500000, 'USD');
export const C = opp('o3', 'Warehouse racks', negotiation, 2000000);

/** A board: two open deals (CNY and USD) in the first stage, one in negotiation, nothing won or lost. */
export function board(): Board {
  return {
    pipeline_id: 'p1',
    columns: [
      {
        stage: initial, count: 3, next_cursor: 'more-initial', cards: [A, B],
        sums: [
          { currency: 'CNY', amount_minor: 1234567 + 300000, weighted_minor: 123457 + 30000 },
          { currency: 'USD', amount_minor: 500000, weighted_minor: 50000 },
        ],
      },
      { stage: negotiation, count: 1, next_cursor: null, cards: [C], sums: [{ currency: 'CNY', amount_minor: 2000000, weighted_minor: 1500000 }] },
      { stage: won, count: 0, next_cursor: null, cards: [], sums: [] },
      { stage: lost, count: 0, next_cursor: null, cards: [], sums: [] },
    ],
  };
}
