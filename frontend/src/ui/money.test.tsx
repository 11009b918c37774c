import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '../i18n';
import { amountText, isValidMoney, parseAmount, type MoneyValue } from './money';
import { MoneyInput } from './MoneyInput';

describe('money text ↔ minor units', () => {
  // [what is typed, the currency's minor-unit digits, the minor units it stands for]
  it.each<[string, number, number]>([
    // the decimal point is moved in the text: 19.99 × 100 and 0.29 × 100 drift in floating point
    ['12345.67', 2, 1234567],
    ['19.99', 2, 1999],
    ['0.29', 2, 29],
    ['1.005', 3, 1005],
    ['4.35', 2, 435],
    ['0.07', 2, 7],
    ['9007199254740.99', 2, 900719925474099],
    // what people type: separators, a currency sign, full-width digits, a missing whole part
    ['1,234,567.8', 2, 123456780],
    ['¥ 12 345', 2, 1234500],
    ['１２３．４５', 2, 12345],
    ['.5', 2, 50],
    ['5.', 2, 500],
    ['007', 2, 700],
    ['1500', 0, 1500],
  ])('reads %s with %i decimals as %i minor units', (text, digits, minor) => {
    expect(parseAmount(text, digits)).toBe(minor);
  });

  it('treats empty text as no amount and anything else as invalid (NaN)', () => {
    expect(parseAmount('', 2)).toBeNull();
    expect(parseAmount('  ', 2)).toBeNull();
    expect(parseAmount('12.345', 2)).toBeNaN();
    expect(parseAmount('1.5', 0)).toBeNaN();
    expect(parseAmount('-3', 2)).toBeNaN();
    expect(parseAmount('abc', 2)).toBeNaN();
    expect(parseAmount('1.2.3', 2)).toBeNaN();
    expect(parseAmount('.', 2)).toBeNaN();
    expect(isValidMoney({ amount_minor: Number.NaN, currency: 'CNY' })).toBe(false);
    expect(isValidMoney({ amount_minor: 10 ** 15 + 1, currency: 'CNY' })).toBe(false);
    expect(isValidMoney({ amount_minor: 0, currency: 'CNY' })).toBe(true);
    expect(isValidMoney(null)).toBe(true);
  });

  it('writes minor units back as text', () => {
    expect(amountText(1234567, 2)).toBe('12345.67');
    expect(amountText(5, 2)).toBe('0.05');
    expect(amountText(0, 2)).toBe('0.00');
    expect(amountText(1500, 0)).toBe('1500');
    // round trip
    for (const minor of [1, 99, 100, 1999, 1234567, 900719925474099]) expect(parseAmount(amountText(minor, 2), 2)).toBe(minor);
  });
});

function Harness({ initial, seen }: { initial: MoneyValue | null; seen: (MoneyValue | null)[] }) {
  const [value, setValue] = useState<MoneyValue | null>(initial);
  return (
    <>
      <MoneyInput
        value={value}
        onChange={(v) => {
          seen.push(v);
          setValue(v);
        }}
        data-testid="money"
      />
      <output data-testid="minor">{value ? String(value.amount_minor) : 'null'}</output>
    </>
  );
}

describe('MoneyInput', () => {
  it('turns typed yuan into fen: 12345.67 gives 1234567', async () => {
    const seen: (MoneyValue | null)[] = [];
    const user = userEvent.setup();
    render(<Harness initial={null} seen={seen} />);
    await user.type(screen.getByTestId('money'), '12345.67');
    expect(screen.getByTestId('minor')).toHaveTextContent('1234567');
    expect(seen.at(-1)).toEqual({ amount_minor: 1234567, currency: 'CNY' });
    // the half-typed "12345." stayed as typed on the way
    expect(screen.getByTestId('money')).toHaveValue('12345.67');
  });

  it('shows an amount in minor units as yuan, marks a third decimal invalid and clears to null', async () => {
    const seen: (MoneyValue | null)[] = [];
    const user = userEvent.setup();
    render(<Harness initial={{ amount_minor: 1999, currency: 'CNY' }} seen={seen} />);
    const input = screen.getByTestId('money');
    expect(input).toHaveValue('19.99');
    await user.type(input, '9');
    expect(seen.at(-1)?.amount_minor).toBeNaN();
    expect(input).toHaveValue('19.999');
    await user.clear(input);
    expect(seen.at(-1)).toBeNull();
    await user.type(input, '0.1');
    expect(seen.at(-1)).toEqual({ amount_minor: 10, currency: 'CNY' });
  });
});
