import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { enumOptions } from './useOptions';

describe('an enumeration as options', () => {
  it('names each value by its i18n key, in the order given', async () => {
    await i18n.changeLanguage('en');
    const options = enumOptions(i18n.t, ['urgent', 'low'] as const, 'priority');
    expect(options.map((o) => o.value)).toEqual(['urgent', 'low']);
    expect(options[0]?.label).toBe(i18n.t('priority.urgent'));
    expect(options[0]?.label).not.toBe('priority.urgent');
  });
});
