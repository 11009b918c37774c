import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../i18n';
import { MarkdownEditor } from './MarkdownEditor';

function Controlled({ layout, initial = '' }: { layout?: 'split' | 'tabs'; initial?: string }) {
  const [value, setValue] = useState(initial);
  return <MarkdownEditor value={value} onChange={setValue} layout={layout} />;
}

describe('<MarkdownEditor>', () => {
  it('renders the preview beside the textarea as the author types', async () => {
    await i18n.changeLanguage('en');
    const user = userEvent.setup();
    render(<Controlled />);
    expect(screen.getByTestId('markdown-editor')).toHaveAttribute('data-layout', 'split');
    const preview = screen.getByTestId('markdown-editor-preview');
    expect(preview).toHaveTextContent('The preview shows here as you type');
    await user.type(screen.getByTestId('markdown-editor-input'), '## Replace the toner{enter}{enter}- **open** the cover');
    await waitFor(() => expect(within(preview).getByRole('heading', { level: 2 })).toHaveTextContent('Replace the toner'));
    expect(within(preview).getByText('open').tagName).toBe('STRONG');
    expect(within(preview).getAllByRole('listitem')).toHaveLength(1);
  });

  it('shows raw HTML typed into it as text in the preview', async () => {
    const user = userEvent.setup();
    render(<Controlled />);
    await user.type(screen.getByTestId('markdown-editor-input'), '<b>bold</b>');
    const preview = screen.getByTestId('markdown-editor-preview');
    await waitFor(() => expect(preview).toHaveTextContent('<b>bold</b>'));
    expect(preview.querySelector('b')).toBeNull();
  });

  it('uses write / preview tabs on narrow screens', async () => {
    await i18n.changeLanguage('en');
    const user = userEvent.setup();
    render(<Controlled layout="tabs" initial="# Title" />);
    expect(screen.getByTestId('markdown-editor')).toHaveAttribute('data-layout', 'tabs');
    expect(screen.getByTestId('markdown-editor-input')).toBeVisible();
    expect(screen.queryByRole('heading', { level: 1 })).toBeNull();
    await user.click(screen.getByTestId('markdown-editor-tab-preview'));
    expect(await screen.findByRole('heading', { level: 1 })).toHaveTextContent('Title');
  });
});
