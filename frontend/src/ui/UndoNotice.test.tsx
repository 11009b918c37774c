import { describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Button } from 'antd';
import i18n from '../i18n';
import { renderWithApp } from '../test/render';
import { useUndoNotice } from './UndoNotice';

function Deleting({ onUndo }: { onUndo: () => void }) {
  const undoNotice = useUndoNotice();
  return <Button onClick={() => undoNotice({ key: 'row-1', text: 'Row deleted', onUndo, 'data-testid': 'undo' })}>delete</Button>;
}

describe('the undo notice', () => {
  it('says what was deleted and puts it back on "undo", taking the notice away', async () => {
    await act(() => i18n.changeLanguage('en'));
    const user = userEvent.setup();
    const onUndo = vi.fn();
    renderWithApp(<Deleting onUndo={onUndo} />);
    await user.click(screen.getByRole('button', { name: 'delete' }));
    expect(await screen.findByText('Row deleted')).toBeInTheDocument();
    expect(screen.getByTestId('undo')).toHaveTextContent('Undo');
    await user.click(screen.getByTestId('undo'));
    expect(onUndo).toHaveBeenCalledOnce();
    await waitFor(() => expect(screen.queryByText('Row deleted')).toBeNull());
  });
});
