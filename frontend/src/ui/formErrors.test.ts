import { describe, expect, it } from 'vitest';
import { fieldPath, mapFieldErrors } from './formErrors';

describe('problem field errors', () => {
  it('splits a field name into a form path', () => {
    expect(fieldPath('phone')).toEqual(['phone']);
    expect(fieldPath('contacts[0].email')).toEqual(['contacts', 0, 'email']);
    expect(fieldPath('/tags/2')).toEqual(['tags', 2]);
  });

  it('puts known fields next to the field and the rest above the form', () => {
    const mapped = mapFieldErrors(
      [
        { field: 'phone', code: 'phone', message: 'not a valid phone' },
        { field: 'phone', code: 'length', message: 'too long' },
        { field: 'tags[1]', code: 'length', message: 'tag too long' },
        { field: 'mystery', code: 'x', message: 'unknown thing' },
      ],
      ['phone', 'tags'],
    );
    expect(mapped.fields).toEqual([
      { name: ['phone'], errors: ['not a valid phone', 'too long'] },
      { name: ['tags', 1], errors: ['tag too long'] },
    ]);
    expect(mapped.other).toEqual(['mystery: unknown thing']);
  });
});
