import { describe, expect, it } from 'vitest';
import { mergePatch, sameInstant, sameJson, textOrNull, withoutNulls } from './mergePatch';

describe('mergePatch', () => {
  it('has only the fields that changed, cleared ones as null', () => {
    const before = { name: 'ACME', phone: '021-6200 0999', email: null, notes: 'x' };
    expect(mergePatch(before, { name: 'ACME Ltd', phone: '021-6200 0999', email: null, notes: null })).toEqual({ name: 'ACME Ltd', notes: null });
  });

  it('treats absent and null as the same, and leaves out what the form does not send', () => {
    expect(mergePatch({ website: undefined, city: '上海市' }, { website: null, city: undefined })).toEqual({});
    expect(mergePatch({}, { website: null })).toEqual({});
  });

  it('sends a list or an object whole when any part changed, whatever the key order', () => {
    const before = { tags: ['a', 'b'], price: { amount_minor: 100, currency: 'CNY' } };
    expect(mergePatch(before, { tags: ['a', 'b'], price: { currency: 'CNY', amount_minor: 100 } })).toEqual({});
    expect(mergePatch(before, { tags: ['b', 'a'], price: { amount_minor: 120, currency: 'CNY' } })).toEqual({
      tags: ['b', 'a'],
      price: { amount_minor: 120, currency: 'CNY' },
    });
  });

  it('compares a field by its own rule when given one', () => {
    const before = { due_at: '2026-03-05T08:00:00Z', title: 'Call' };
    expect(mergePatch(before, { due_at: '2026-03-05T16:00:00+08:00', title: 'Call' }, { due_at: sameInstant })).toEqual({});
    expect(mergePatch(before, { due_at: '2026-03-05T16:01:00+08:00', title: 'Call' }, { due_at: sameInstant })).toEqual({ due_at: '2026-03-05T16:01:00+08:00' });
  });
});

describe('the comparisons', () => {
  it('sameJson compares deeply', () => {
    expect(sameJson({ a: [1, { b: null }] }, { a: [1, {}] })).toBe(true);
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
  });

  it('sameInstant compares to the second and knows null', () => {
    expect(sameInstant(null, undefined)).toBe(true);
    expect(sameInstant(null, '2026-03-05T08:00:00Z')).toBe(false);
  });

  it('withoutNulls drops the empty fields of a create body', () => {
    expect(withoutNulls({ name: 'a', phone: null, tags: [] })).toEqual({ name: 'a', tags: [] });
  });
});

describe('textOrNull', () => {
  it('trims typed text and sends blank text as null', () => {
    expect(textOrNull('  Ada ')).toBe('Ada');
    expect(textOrNull('   ')).toBeNull();
    expect(textOrNull('')).toBeNull();
    expect(textOrNull(null)).toBeNull();
    expect(textOrNull(undefined)).toBeNull();
  });
});
