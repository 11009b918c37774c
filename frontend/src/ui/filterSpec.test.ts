import { describe, expect, it } from 'vitest';
import { day, flag, manyOf, oneOf, setting, text, textSetting, urlFilters } from './filterSpec';

const COLOURS = ['red', 'green', 'blue'] as const;
const SORTS = ['-created_at', 'name'] as const;

const filters = urlFilters(
  {
    q: text(),
    customer_id: text(),
    contact_id: text(),
    colour: manyOf(COLOURS),
    size: oneOf(['s', 'm', 'l'] as const),
    urgent: flag(),
    from: day(),
    who: textSetting('me'),
    sort: setting(SORTS, '-created_at'),
  },
  (f) => {
    if (!f.customer_id) delete f.contact_id;
  },
);

describe('a list filter spec', () => {
  it('reads every kind of parameter and drops what is unknown or malformed', () => {
    const f = filters.parse(new URLSearchParams('q=%20printer%20&colour=red,purple,blue,red&size=xl&urgent=maybe&from=2026-13&sort=drop&who=u7'));
    expect(f).toEqual({ q: 'printer', colour: ['red', 'blue'], who: 'u7', sort: '-created_at' });
  });

  it('gives settings their default and enum lists an empty list when the URL has none', () => {
    expect(filters.empty()).toEqual({ colour: [], who: 'me', sort: '-created_at' });
  });

  it('writes in the spec order, leaving out empty values and settings at their default', () => {
    const f = filters.parse(new URLSearchParams('sort=name&from=2026-03-01&urgent=false&size=m&colour=green&customer_id=c1&contact_id=k1&q=x&who=me'));
    expect(filters.toSearch(f).toString()).toBe('q=x&customer_id=c1&contact_id=k1&colour=green&size=m&urgent=false&from=2026-03-01&sort=name');
    expect(filters.parse(filters.toSearch(f))).toEqual(f);
    expect(filters.toSearch(filters.empty()).toString()).toBe('');
  });

  it('always sends the settings to the API', () => {
    expect(filters.toQuery(filters.empty())).toEqual({ who: 'me', sort: '-created_at' });
    expect(filters.toQuery({ ...filters.empty(), colour: ['red', 'green'] })).toEqual({ colour: 'red,green', who: 'me', sort: '-created_at' });
  });

  it('counts the filters a person set, not the settings', () => {
    expect(filters.activeCount(filters.empty())).toBe(0);
    expect(filters.activeCount({ ...filters.empty(), q: 'x', colour: ['red'], urgent: false, sort: 'name', who: 'u2' })).toBe(3);
  });

  it('applies the rules between fields after reading', () => {
    expect(filters.parse(new URLSearchParams('contact_id=k1')).contact_id).toBeUndefined();
    expect(filters.parse(new URLSearchParams('customer_id=c1&contact_id=k1')).contact_id).toBe('k1');
  });
});
