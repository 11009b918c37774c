import { describe, expect, it } from 'vitest';
import { dateTimeOrDash } from './format';

describe('a moment in a record\'s details', () => {
  it('is a dash until it has happened, then the date and time', () => {
    expect(dateTimeOrDash(null, 'en')).toBe('—');
    expect(dateTimeOrDash(undefined, 'en')).toBe('—');
    expect(dateTimeOrDash('2026-03-01T08:30:00Z', 'en')).toMatch(/2026/);
  });
});
