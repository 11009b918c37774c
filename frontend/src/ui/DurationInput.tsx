import { InputNumber, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { joinMinutes, splitMinutes } from './duration';

interface Props {
  /** Whole minutes. */
  value?: number | null;
  onChange?: (minutes: number | null) => void;
  maxHours?: number;
  disabled?: boolean;
  status?: 'error' | 'warning' | '';
  'data-testid'?: string;
}

/** Minutes typed as hours and minutes (two boxes); the form holds whole minutes. */
export function DurationInput({ value, onChange, maxHours = 8760, disabled, status, ...rest }: Props) {
  const { t } = useTranslation();
  const { hours, minutes } = splitMinutes(value);
  const id = rest['data-testid'];
  return (
    <Space.Compact data-testid={id}>
      <InputNumber
        min={0}
        max={maxHours}
        precision={0}
        value={hours}
        disabled={disabled}
        status={status}
        onChange={(h) => onChange?.(joinMinutes(h, minutes))}
        suffix={t('duration.hoursUnit')}
        aria-label={t('duration.hoursUnit')}
        style={{ width: 110 }}
        data-testid={id ? `${id}-hours` : undefined}
      />
      <InputNumber
        min={0}
        max={59}
        precision={0}
        value={minutes}
        disabled={disabled}
        status={status}
        onChange={(m) => onChange?.(joinMinutes(hours, m))}
        suffix={t('duration.minutesUnit')}
        aria-label={t('duration.minutesUnit')}
        style={{ width: 100 }}
        data-testid={id ? `${id}-minutes` : undefined}
      />
    </Space.Compact>
  );
}
