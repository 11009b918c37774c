import { currencyDigits } from '../i18n/format';

/** The largest amount the API takes, in minor units (10^15). */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000;

/**
 * Reads what a person typed ("12,345.67", "¥ 12345.6", "１２３") as an integer count of minor
 * units, by moving the decimal point in the text rather than multiplying a float, so
 * 12345.67 gives exactly 1234567. Empty text is null; anything else that is not a
 * non-negative amount with at most `digits` decimals is NaN.
 */
export function parseAmount(text: string, digits: number): number | null {
  const cleaned = text
    .replace(/[０-９．，]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s,_'¥￥$€£]/g, '');
  if (cleaned === '') return null;
  const m = /^(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return Number.NaN;
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  if (frac.length > digits) return Number.NaN;
  const minor = Number(`${whole}${frac.padEnd(digits, '0')}`.replace(/^0+(?=\d)/, '') || '0');
  return Number.isSafeInteger(minor) ? minor : Number.NaN;
}

/** Minor units as plain text with the decimal point in place: 1234567, 2 → "12345.67". */
export function amountText(minor: number, digits: number): string {
  if (!Number.isFinite(minor)) return '';
  const negative = minor < 0;
  const s = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  const text = digits === 0 ? s : `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  return negative ? `-${text}` : text;
}

/** A money value as the form holds it: minor units (NaN while the text is not an amount) and a currency. */
export interface MoneyValue {
  amount_minor: number;
  currency: string;
}

/** `parseAmount` for a currency. */
export function parseMoney(text: string, currency: string): MoneyValue | null {
  const minor = parseAmount(text, currencyDigits(currency));
  return minor === null ? null : { amount_minor: minor, currency };
}

export function moneyText(value: MoneyValue | null | undefined): string {
  if (!value) return '';
  return amountText(value.amount_minor, currencyDigits(value.currency));
}

/** True when a form's money value is a valid amount (NaN marks text that is not one). */
export function isValidMoney(value: MoneyValue | null | undefined): boolean {
  return !value || (Number.isSafeInteger(value.amount_minor) && value.amount_minor >= 0 && value.amount_minor <= MAX_AMOUNT_MINOR);
}
