import { describe, expect, it } from 'vitest';
import dayjs from 'dayjs';
import { A } from './fixtures.test-utils';
import { lineTotal, linesToWire, percentToBp, previewTotal } from './lines';
import { opportunityToForm, toCreateOpportunity, toOpportunityPatch } from './OpportunityForm';

describe('opportunity form ↔ API', () => {
  it('creates with the amount in minor units, blank fields left out and competitors trimmed', () => {
    expect(
      toCreateOpportunity({
        name: '  Lathe service ',
        customer_id: 'c1',
        pipeline_id: 'p1',
        amount: { amount_minor: 1234567, currency: 'CNY' },
        expected_close_date: dayjs('2026-06-30'),
        probability: null,
        source: 'referral',
        competitors: [{ name: ' Rival ', notes: ' ' }, { name: '' }],
        description: '  ',
      }),
    ).toEqual({
      name: 'Lathe service',
      customer_id: 'c1',
      pipeline_id: 'p1',
      amount: { amount_minor: 1234567, currency: 'CNY' },
      expected_close_date: '2026-06-30',
      source: 'referral',
      competitors: [{ name: 'Rival', notes: null }],
    });
  });

  it('with product lines sends them and a zero amount in their currency', () => {
    const body = toCreateOpportunity({
      name: 'Kit', customer_id: 'c1', amount: null, competitors: [],
      lines: [{ product_id: 'p9', quantity: 2, unit_price_minor: null, discount_pct: 12.5 }, { quantity: 1 }],
    });
    expect(body.amount).toEqual({ amount_minor: 0, currency: 'CNY' });
    expect(body.lines).toEqual([{ product_id: 'p9', quantity: 2, discount_bp: 1250 }]);
  });

  it('patches only what changed; clearing the override sends null', () => {
    const base = { ...A, probability: 30 };
    const v = opportunityToForm(base);
    expect(toOpportunityPatch(base, v)).toEqual({});
    expect(toOpportunityPatch(base, { ...v, probability: null, amount: { amount_minor: 1999, currency: 'CNY' } })).toEqual({
      probability: null,
      amount: { amount_minor: 1999, currency: 'CNY' },
    });
  });

  it('prices lines like the server, in integers', () => {
    expect(percentToBp(12.3)).toBe(1230);
    expect(percentToBp(0.1)).toBe(10);
    expect(lineTotal(3, 333, 1000)).toBe(899);
    expect(lineTotal(2, 6172839, 0)).toBe(12345678);
    expect(linesToWire([{ product_id: 'x', quantity: 1, unit_price_minor: 500 }])).toEqual([{ product_id: 'x', quantity: 1, unit_price_minor: 500 }]);
    expect(previewTotal([{ product_id: 'x', quantity: 2 }], () => 6172839)).toBe(12345678);
    expect(previewTotal([{ product_id: 'x', quantity: 2 }], () => undefined)).toBeNull();
  });
});
