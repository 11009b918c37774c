import { describe, expect, it } from 'vitest';
import { activeFilterCount, filtersToQuery, filtersToSearch, parseFilters, withKnownCustomFields } from './filters';

describe('customer filters in the URL', () => {
  it('round-trips every filter through the query string', () => {
    const qs = 'q=%E5%8D%8E&lifecycle_stage=prospect%2Ccustomer&owner_id=u1&team_id=t1&industry=IT&region=%E6%B5%A6%E4%B8%9C&tag=vip&value_tier=a&created_at_from=2026-01-01&created_at_to=2026-02-01&id_number=11010519491231002X&sort=name';
    const f = parseFilters(new URLSearchParams(qs));
    expect(f).toEqual({
      q: '华', lifecycle_stage: ['prospect', 'customer'], owner_id: 'u1', team_id: 't1', industry: 'IT', region: '浦东', tag: 'vip',
      value_tier: 'a', created_at_from: '2026-01-01', created_at_to: '2026-02-01', id_number: '11010519491231002X', sort: 'name',
    });
    expect(parseFilters(filtersToSearch(f))).toEqual(f);
    expect([...filtersToSearch(f).keys()].sort()).toEqual([...new URLSearchParams(qs).keys()].sort());
    expect(activeFilterCount(f)).toBe(11);
  });

  it('drops unknown values instead of sending them', () => {
    const f = parseFilters(new URLSearchParams('lifecycle_stage=prospect,bogus&value_tier=z&sort=drop_table&created_at_from=yesterday'));
    expect(f).toEqual({ lifecycle_stage: ['prospect'], sort: '-created_at' });
  });

  it('takes a whole identity document number as the server reads it, and nothing else', () => {
    expect(parseFilters(new URLSearchParams('id_number=110105 19491231-002x')).id_number).toBe('11010519491231002X');
    // a part of a number finds nothing and a malformed one would fail the whole list: no filter
    expect(parseFilters(new URLSearchParams('id_number=1101')).id_number).toBeUndefined();
    expect(parseFilters(new URLSearchParams('id_number=110***********002X')).id_number).toBeUndefined();
    expect(filtersToQuery({ ...parseFilters(new URLSearchParams('')), id_number: 'e1234 5678' })).toEqual({ id_number: 'E12345678', sort: '-created_at' });
  });

  it('always sends a sort to the API but leaves the default out of the URL', () => {
    const f = parseFilters(new URLSearchParams(''));
    expect(filtersToSearch(f).toString()).toBe('');
    expect(filtersToQuery(f)).toEqual({ sort: '-created_at' });
    expect(filtersToQuery({ ...f, lifecycle_stage: ['potential', 'churned'] })).toEqual({ lifecycle_stage: 'potential,churned', sort: '-created_at' });
  });

  it('keeps custom field filters and sorts in the URL and sends those of fields the organisation has', () => {
    const f = parseFilters(new URLSearchParams('cf.level=gold,silver&cf.vip=true&cf.signed_on_from=2026-01-01&cf.bogus=1&cf.=x&cfx=1&sort=-cf.level'));
    expect(f).toEqual({ lifecycle_stage: [], cf: { 'cf.level': 'gold,silver', 'cf.vip': 'true', 'cf.signed_on_from': '2026-01-01', 'cf.bogus': '1' }, sort: '-cf.level' });
    expect(parseFilters(filtersToSearch(f))).toEqual(f);
    expect(activeFilterCount(f)).toBe(4);
    const sent = withKnownCustomFields(f, ['level', 'vip', 'signed_on']);
    expect(filtersToQuery(sent)).toEqual({ 'cf.level': 'gold,silver', 'cf.vip': 'true', 'cf.signed_on_from': '2026-01-01', sort: '-cf.level' });
    // a field the organisation no longer has: its filter and its order are dropped
    expect(filtersToQuery(withKnownCustomFields(f, ['vip']))).toEqual({ 'cf.vip': 'true', sort: '-created_at' });
    expect(parseFilters(new URLSearchParams('sort=cf.Bad-Key')).sort).toBe('-created_at');
  });
});
