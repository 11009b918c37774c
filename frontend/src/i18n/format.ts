/** Locale-aware formatting of dates, numbers and money; the locale is the UI language. */

export function formatDateTime(value: string | null | undefined, locale: string): string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A moment in a record's details: formatted, or a dash while there is none (not yet resolved, never published). */
export function dateTimeOrDash(value: string | null | undefined, locale: string): string {
  return value ? formatDateTime(value, locale) : '—';
}

/** A calendar date `YYYY-MM-DD`, shown without time-zone shifts. */
export function formatDate(value: string | null | undefined, locale: string): string {
  if (!value) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (m && value.length === 10) {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d);
}

export function formatNumber(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return '';
  return new Intl.NumberFormat(locale).format(value);
}

/** How many minor-unit digits a currency has (2 for CNY's 分, 0 for JPY); 2 for unknown codes. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Money as the API sends it: integer minor units plus an ISO 4217 currency. */
export function formatMoney(money: { amount_minor: number; currency: string } | null | undefined, locale: string): string {
  if (!money) return '';
  let fmt: Intl.NumberFormat;
  try {
    fmt = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
  } catch {
    // not an ISO code Intl knows: the number with the code after it
    return `${formatNumber(money.amount_minor / 100, locale)} ${money.currency}`;
  }
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
  return fmt.format(money.amount_minor / 10 ** digits);
}

/** Money in a short form for tight places (board column heads): ¥1.2万 / CN¥12K. */
export function formatMoneyCompact(money: { amount_minor: number; currency: string }, locale: string): string {
  try {
    const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency, notation: 'compact', maximumFractionDigits: 1 });
    return fmt.format(money.amount_minor / 10 ** currencyDigits(money.currency));
  } catch {
    return formatMoney(money, locale);
  }
}
