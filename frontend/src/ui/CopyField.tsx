import { useState } from 'react';
import { App, Button, Input, Space } from 'antd';
import { CopyOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

/** Copies text, with the old selection fallback where the Clipboard API is unavailable (plain http). */
export async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!input) return false;
    input.select();
    return document.execCommand('copy');
  }
}

/**
 * A read-only text to hand on (a link, a secret) with a copy button beside it; it says whether the
 * text was copied or is to be copied by hand. Its words are the i18n keys `copy`, `copied` and
 * `copyByHand` under `labels` (`apiKey` reads `apiKey.copy`, …), each naming what is copied.
 */
export function CopyField({ value, labels, copyTestId, ...rest }: { value: string; labels: string; copyTestId: string; 'data-testid': string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [input, setInput] = useState<HTMLInputElement | null>(null);
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Input readOnly value={value} ref={(r) => setInput(r?.input ?? null)} onFocus={(e) => e.target.select()} data-testid={rest['data-testid']} />
      <Button
        type="primary"
        icon={<CopyOutlined />}
        onClick={() => void copyText(value, input).then((ok) => (ok ? message.success(t(`${labels}.copied`)) : message.warning(t(`${labels}.copyByHand`))))}
        data-testid={copyTestId}
      >
        {t(`${labels}.copy`)}
      </Button>
    </Space.Compact>
  );
}
