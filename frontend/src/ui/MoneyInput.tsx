import { useState } from 'react';
import { Input, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { CURRENCIES } from '../api/types';
import { currencyDigits } from '../i18n/format';
import { amountText, parseAmount, type MoneyValue } from './money';

interface Props {
  value?: MoneyValue | null;
  onChange?: (value: MoneyValue | null) => void;
  /** The currency of a new amount. */
  defaultCurrency?: string;
  /** Hides the currency choice (e.g. when it is fixed). */
  currencyFixed?: boolean;
  disabled?: boolean;
  placeholder?: string;
  'data-testid'?: string;
  id?: string;
}

/**
 * An amount typed in the currency's major unit (元) and held as integer minor units (分): the text
 * is converted by moving the decimal point, never by float arithmetic, so 12345.67 is 1234567.
 * While the text is not an amount the value's `amount_minor` is NaN, which `isValidMoney` rejects.
 */
export function MoneyInput({ value, onChange, defaultCurrency = 'CNY', currencyFixed, disabled, placeholder, id, ...rest }: Props) {
  const { t } = useTranslation();
  const currency = value?.currency ?? defaultCurrency;
  const digits = currencyDigits(currency);
  // What the person typed, kept while it still means the value the form holds (so "12." stays "12.").
  const [typed, setTyped] = useState<string>(() => (value ? amountText(value.amount_minor, digits) : ''));
  const typedMinor = parseAmount(typed, digits);
  const sameAsValue =
    value == null ? typedMinor === null : Number.isNaN(value.amount_minor) ? Number.isNaN(typedMinor) : typedMinor === value.amount_minor;
  const text = sameAsValue ? typed : value ? amountText(value.amount_minor, digits) : '';

  const emit = (nextText: string, nextCurrency: string) => {
    const minor = parseAmount(nextText, currencyDigits(nextCurrency));
    onChange?.(minor === null ? null : { amount_minor: minor, currency: nextCurrency });
  };

  const testId = rest['data-testid'];
  return (
    <Space.Compact style={{ width: '100%' }}>
      {!currencyFixed && (
        <Select
          value={currency}
          disabled={disabled}
          style={{ width: 96 }}
          aria-label={t('money.currency')}
          options={[...new Set([...CURRENCIES, currency])].map((c) => ({ value: c, label: c }))}
          onChange={(c: string) => emit(text, c)}
          data-testid={testId ? `${testId}-currency` : undefined}
        />
      )}
      <Input
        id={id}
        value={text}
        disabled={disabled}
        inputMode="decimal"
        placeholder={placeholder ?? (digits > 0 ? `0.${'0'.repeat(digits)}` : '0')}
        prefix={currencyFixed ? currency : undefined}
        onChange={(e) => {
          setTyped(e.target.value);
          emit(e.target.value, currency);
        }}
        onBlur={() => {
          if (value && !Number.isNaN(value.amount_minor)) setTyped(amountText(value.amount_minor, digits));
        }}
        data-testid={testId}
      />
    </Space.Compact>
  );
}
