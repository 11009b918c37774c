import { Radio, type RadioGroupProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { enumOptions } from './useOptions';

/**
 * One of an enumeration's values (a direction, an article's status) picked with a row of buttons,
 * each named by the i18n key `labelKey.value`. With `optionTestIdPrefix` each button's label carries
 * its own test id (`article-status-draft`). The value and onChange are the form field's.
 */
export function EnumRadio<T extends string>({ values, labelKey, optionTestIdPrefix, ...group }: Omit<RadioGroupProps, 'options' | 'optionType'> & {
  values: readonly T[];
  labelKey: string;
  optionTestIdPrefix?: string;
  'data-testid'?: string;
}) {
  const { t } = useTranslation();
  const options =
    optionTestIdPrefix === undefined
      ? enumOptions(t, values, labelKey)
      : values.map((v) => ({ value: v, label: <span data-testid={`${optionTestIdPrefix}-${v}`}>{t(`${labelKey}.${v}`)}</span> }));
  return <Radio.Group optionType="button" options={options} {...group} />;
}
