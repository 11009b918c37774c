import { useState, type ReactNode } from 'react';
import { Button, Checkbox, DatePicker, Grid, Input, Select } from 'antd';
import { FilterOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useMe } from '../modules/auth/useSession';
import { enumOptions, useOwnerOptions, useTeamOptions, useUserOptions } from './useOptions';

interface FilterBarProps {
  /** The list's search box (its `q`), first in the bar and never folded away. */
  search?: TextFilterProps;
  /** How many filters are set: shown on the phone's filter button; with `onClear`, offers "clear filters". */
  activeCount?: number;
  onClear?: () => void;
  /** On a phone the filters fold away behind a button so the list stays in view. */
  foldOnPhone?: boolean;
  /** What stands at the bar's right end: the total, "new …". */
  extra?: ReactNode;
  /** The filters. */
  children?: ReactNode;
  'data-testid'?: string;
}

/** A list's filter bar: search, filters, "clear filters" and the list's actions, wrapping on narrow screens. */
export function FilterBar({ search, activeCount = 0, onClear, foldOnPhone = false, extra, children, ...rest }: FilterBarProps) {
  const { t } = useTranslation();
  const isPhone = Grid.useBreakpoint().md === false;
  const [open, setOpen] = useState(false);
  const folded = foldOnPhone && isPhone && !open;
  return (
    <div className="filter-bar" data-testid={rest['data-testid']}>
      {search && <TextFilter {...search} />}
      {foldOnPhone && isPhone && (
        <Button icon={<FilterOutlined />} onClick={() => setOpen((o) => !o)} data-testid="filter-toggle">
          {t('customers.filters')} {activeCount > 0 ? `(${activeCount})` : ''}
        </Button>
      )}
      {!folded && children}
      {onClear && activeCount > 0 && (
        <Button type="link" onClick={onClear} data-testid="filter-clear">
          {t('customers.clearFilters')}
        </Button>
      )}
      {extra && <span className="filter-bar-extra">{extra}</span>}
    </div>
  );
}

interface TextFilterProps {
  value: string | undefined;
  /** Called with the trimmed text on Enter or the search button, undefined when it is empty. */
  onChange: (value: string | undefined) => void;
  placeholder?: string;
  width?: number;
  'data-testid'?: string;
}

/**
 * A text filter applied on Enter. What is typed stays a draft until then; when the filter changes
 * from outside (cleared, or set by clicking a tag) the box shows the new value.
 */
export function TextFilter({ value, onChange, placeholder, width = 180, ...rest }: TextFilterProps) {
  const [draft, setDraft] = useState(value ?? '');
  const [applied, setApplied] = useState(value);
  if (applied !== value) {
    // adjusting state to a changed prop during render, as React recommends over an effect
    setApplied(value);
    setDraft(value ?? '');
  }
  return (
    <Input.Search
      allowClear
      placeholder={placeholder}
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onSearch={(v) => onChange(v.trim() || undefined)}
      style={{ width }}
      data-testid={rest['data-testid']}
    />
  );
}

interface EnumOptions<T extends string> {
  /** The enumeration's values, in the order they are offered. */
  values: readonly T[];
  /** The i18n key prefix of the values' names: `stage` names `potential` with `stage.potential`. */
  labelKey: string;
  placeholder?: string;
  width?: number;
  'data-testid'?: string;
}

function useEnumOptions<T extends string>(values: readonly T[], labelKey: string) {
  const { t } = useTranslation();
  return enumOptions(t, values, labelKey);
}

/** Any of an enumeration's values (statuses, priorities, channels…); none is no filter. */
export function EnumMultiFilter<T extends string>({ values, labelKey, value, onChange, placeholder, width = 160, ...rest }: EnumOptions<T> & {
  value: T[];
  onChange: (value: T[]) => void;
}) {
  return (
    <Select<T[]>
      mode="multiple"
      allowClear
      placeholder={placeholder}
      value={value}
      onChange={onChange}
      options={useEnumOptions(values, labelKey)}
      style={{ minWidth: width }}
      data-testid={rest['data-testid']}
    />
  );
}

/** One of an enumeration's values, or any. */
export function EnumFilter<T extends string>({ values, labelKey, value, onChange, placeholder, width = 140, ...rest }: EnumOptions<T> & {
  value: T | undefined;
  onChange: (value: T | undefined) => void;
}) {
  return (
    <Select<T>
      allowClear
      placeholder={placeholder}
      value={value}
      onChange={(v?: T) => onChange(v)}
      options={useEnumOptions(values, labelKey)}
      style={{ minWidth: width }}
      data-testid={rest['data-testid']}
    />
  );
}

/** Yes, no or either: a two-way filter such as "breached" or "active". */
export function FlagFilter({ value, onChange, yes, no, placeholder, width = 140, ...rest }: {
  value: boolean | undefined;
  onChange: (value: boolean | undefined) => void;
  /** The words for true and for false. */
  yes: string;
  no: string;
  placeholder?: string;
  width?: number;
  'data-testid'?: string;
}) {
  return (
    <Select
      allowClear
      placeholder={placeholder}
      value={value === undefined ? undefined : String(value)}
      onChange={(v?: string) => onChange(v === undefined ? undefined : v === 'true')}
      options={[
        { value: 'true', label: yes },
        { value: 'false', label: no },
      ]}
      style={{ minWidth: width }}
      data-testid={rest['data-testid']}
    />
  );
}

interface IdFilterProps {
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  placeholder?: string;
  width?: number;
  'data-testid'?: string;
}

/** One record of a list of choices (users, teams) picked by typing part of its name; none is no filter. */
function ChoiceFilter({ value, onChange, placeholder, width, options, loading, ...rest }: IdFilterProps & {
  options: { value: string; label: string }[];
  loading: boolean;
}) {
  return (
    <Select
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      placeholder={placeholder}
      value={value}
      onChange={(v?: string) => onChange(v || undefined)}
      options={options}
      loading={loading}
      style={{ minWidth: width }}
      data-testid={rest['data-testid']}
    />
  );
}

/**
 * The owner filter: every active user for roles that may list users; otherwise, with `onlyMine`,
 * a "only mine" box (the only owner such a role can name is itself), else nothing.
 */
export function OwnerFilter({ onlyMine, width = 200, ...props }: IdFilterProps & { onlyMine?: string }) {
  const me = useMe().data;
  const owners = useOwnerOptions();
  if (owners.enabled) return <ChoiceFilter {...props} width={width} options={owners.options} loading={owners.loading} />;
  if (!onlyMine) return null;
  return (
    <Checkbox checked={props.value !== undefined && props.value === me?.id} onChange={(e) => props.onChange(e.target.checked ? me?.id : undefined)}>
      {onlyMine}
    </Checkbox>
  );
}

/** Any user, deactivated ones too (who did something in the past); nothing for roles that may not list users. */
export function UserFilter({ width = 200, ...props }: IdFilterProps) {
  const users = useUserOptions({ includeInactive: true });
  if (!users.enabled) return null;
  return <ChoiceFilter {...props} width={width} options={users.options} loading={users.loading} />;
}

/** The team filter: every team for roles that may list teams, otherwise the caller's own. */
export function TeamFilter({ width = 160, ...props }: IdFilterProps) {
  const teams = useTeamOptions();
  return <ChoiceFilter {...props} width={width} options={teams.options} loading={teams.loading} />;
}

/** A range of days, either end open: `YYYY-MM-DD` strings as the URL and the API hold them. */
export function DayRangeFilter({ from, to, onChange, placeholder, ...rest }: {
  from: string | undefined;
  to: string | undefined;
  onChange: (from: string | undefined, to: string | undefined) => void;
  placeholder: [string, string];
  'data-testid'?: string;
}) {
  const value: [dayjs.Dayjs | null, dayjs.Dayjs | null] | null = from || to ? [from ? dayjs(from) : null, to ? dayjs(to) : null] : null;
  return (
    <DatePicker.RangePicker
      allowEmpty={[true, true]}
      value={value}
      placeholder={placeholder}
      onChange={(v) => onChange(v?.[0]?.format('YYYY-MM-DD') ?? undefined, v?.[1]?.format('YYYY-MM-DD') ?? undefined)}
      data-testid={rest['data-testid']}
    />
  );
}
