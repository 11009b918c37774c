import { describe, expect, it } from 'vitest';
import { boardQuery, opportunityFiltersToQuery, parseBoardFilters, parseOpportunityFilters, parseOrderFilters, parseProductFilters, productFiltersToQuery } from './filters';

describe('sales list filters', () => {
  it('drop a stage without its pipeline and always send the sort', () => {
    const f = parseOpportunityFilters(new URLSearchParams('stage_id=s1&owner_id=u1'));
    expect(f).toEqual({ owner_id: 'u1', sort: '-updated_at' });
    expect(opportunityFiltersToQuery(f)).toEqual({ owner_id: 'u1', sort: '-updated_at' });
    expect(parseOpportunityFilters(new URLSearchParams('pipeline_id=p1&stage_id=s1')).stage_id).toBe('s1');
  });

  it('leave the pipeline out of the board query: it is in the path', () => {
    const f = parseBoardFilters(new URLSearchParams('pipeline=p1&team_id=t1&expected_close_from=2026-01-01&expected_close_to=soon'));
    expect(boardQuery(f)).toEqual({ team_id: 't1', expected_close_from: '2026-01-01' });
  });

  it('read order statuses and product activity, dropping what they do not know', () => {
    expect(parseOrderFilters(new URLSearchParams('status=draft,shipped,confirmed&order_date_to=2026-02-30x'))).toEqual({ status: ['draft', 'confirmed'] });
    const products = parseProductFilters(new URLSearchParams('active=false&sort=-name&category=%20耗材%20'));
    expect(products).toEqual({ active: false, sort: '-name', category: '耗材' });
    expect(productFiltersToQuery(parseProductFilters(new URLSearchParams('active=maybe')))).toEqual({ sort: 'name' });
  });
});
