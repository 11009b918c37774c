import { Alert, App, Button, Space, Typography } from 'antd';
import { CopyOutlined, DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { copyText } from '../../ui/CopyField';

/** One-time recovery codes, shown this once, with copy and download. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const text = codes.join('\n');
  const copy = async () => {
    if (await copyText(text, null)) void message.success(t('twoFactor.codesCopied'));
    else void message.info(t('twoFactor.copyByHand'));
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([`${t('twoFactor.codesFileHeader')}\n\n${text}\n`], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'crm-recovery-codes.txt';
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div data-testid="recovery-codes">
      <Alert type="warning" showIcon title={t('twoFactor.codesOnce')} style={{ marginBottom: 12 }} />
      <ul className="recovery-codes" style={{ columns: 2, fontFamily: 'monospace', fontSize: 16, listStyle: 'none', paddingLeft: 0 }}>
        {codes.map((c) => (
          <li key={c} data-testid="recovery-code">{c}</li>
        ))}
      </ul>
      <Space>
        <Button icon={<CopyOutlined />} onClick={() => void copy()} data-testid="recovery-codes-copy">{t('twoFactor.copyCodes')}</Button>
        <Button icon={<DownloadOutlined />} onClick={download} data-testid="recovery-codes-download">{t('twoFactor.downloadCodes')}</Button>
      </Space>
      <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>{t('twoFactor.codesHint')}</Typography.Paragraph>
    </div>
  );
}
