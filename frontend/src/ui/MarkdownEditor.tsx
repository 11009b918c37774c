import { useDeferredValue, useState } from 'react';
import { Empty, Grid, Input, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Markdown } from './Markdown';

interface Props {
  value?: string;
  onChange?: (value: string) => void;
  rows?: number;
  maxLength?: number;
  placeholder?: string;
  /** Side by side (wide screens) or write / preview tabs (narrow ones); by default chosen by the screen width. */
  layout?: 'split' | 'tabs';
  'data-testid'?: string;
}

/**
 * A Markdown textarea with a live preview rendered like the article page renders it: side by side
 * on wide screens, as two tabs on narrow ones. Works as an antd form control (`value` / `onChange`).
 */
export function MarkdownEditor({ value = '', onChange, rows = 18, maxLength, placeholder, layout, 'data-testid': testId = 'markdown-editor' }: Props) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  // typing stays responsive on long articles: the preview may lag a keystroke behind
  const preview = useDeferredValue(value);
  const mode = layout ?? (screens.lg === false ? 'tabs' : 'split');

  const editor = (
    <Input.TextArea
      value={value}
      onChange={(e) => onChange?.(e.target.value)}
      rows={rows}
      maxLength={maxLength}
      placeholder={placeholder}
      className="markdown-input"
      data-testid={`${testId}-input`}
    />
  );
  const rendered = (
    <div className="markdown-preview" data-testid={`${testId}-preview`}>
      {preview.trim() ? <Markdown testId={`${testId}-rendered`}>{preview}</Markdown> : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.previewEmpty')} />}
    </div>
  );

  if (mode === 'tabs') {
    return (
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as 'write' | 'preview')}
        data-testid={testId}
        data-layout="tabs"
        items={[
          { key: 'write', label: <span data-testid={`${testId}-tab-write`}>{t('kb.write')}</span>, children: editor },
          { key: 'preview', label: <span data-testid={`${testId}-tab-preview`}>{t('kb.preview')}</span>, children: rendered },
        ]}
      />
    );
  }
  return (
    <div className="markdown-editor-split" data-testid={testId} data-layout="split">
      <div>
        <Typography.Text type="secondary" className="markdown-editor-label">{t('kb.write')}</Typography.Text>
        {editor}
      </div>
      <div>
        <Typography.Text type="secondary" className="markdown-editor-label">{t('kb.preview')}</Typography.Text>
        {rendered}
      </div>
    </div>
  );
}
