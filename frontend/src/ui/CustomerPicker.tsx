import { useMemo, useState } from 'react';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCustomer, useCustomerSearch } from '../modules/customers/useCustomers';
import { useDebounced } from './useDebounced';

interface Props {
  value?: string | null;
  onChange?: (id: string | undefined) => void;
  placeholder?: string;
  allowClear?: boolean;
  disabled?: boolean;
  style?: React.CSSProperties;
  /** Customers never offered (the one a merge keeps). */
  exclude?: readonly string[];
  'data-testid'?: string;
}

/** Picks a customer by typing part of its name, or a whole phone number or email (never a fragment of one). */
export function CustomerPicker({ value, onChange, placeholder, allowClear = true, disabled, style, exclude, ...rest }: Props) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const found = useCustomerSearch(useDebounced(typed.trim(), 250));
  // the chosen customer's name, also when it is not among the search results
  const chosen = useCustomer(value ?? '', Boolean(value));
  const options = useMemo(() => {
    const list = (found.data ?? []).filter((c) => !exclude?.includes(c.id)).map((c) => ({ value: c.id, label: c.name }));
    if (value && chosen.data && !list.some((o) => o.value === value)) list.unshift({ value, label: chosen.data.name });
    return list;
  }, [found.data, chosen.data, value, exclude]);
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setTyped }}
      allowClear={allowClear}
      disabled={disabled}
      value={value ?? undefined}
      onChange={(v?: string) => onChange?.(v)}
      options={options}
      loading={found.isFetching}
      placeholder={placeholder ?? t('activity.customer')}
      notFoundContent={found.isFetching ? null : t('activity.noCustomerFound')}
      style={style}
      data-testid={rest['data-testid']}
    />
  );
}
