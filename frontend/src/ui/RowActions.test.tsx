import { describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../i18n';
import { renderWithApp } from '../test/render';
import { DeleteLink, EditLink } from './RowActions';

describe('row actions', () => {
  it('edits on a click, and deletes only once the question is answered', async () => {
    await act(() => i18n.changeLanguage('en'));
    const user = userEvent.setup();
    const onEdit = vi.fn();
    const onDelete = vi.fn();
    renderWithApp(
      <>
        <EditLink onClick={onEdit} data-testid="edit" />
        <DeleteLink confirm="Delete this row?" onConfirm={onDelete} data-testid="delete" />
      </>,
    );
    expect(screen.getByTestId('edit')).toHaveTextContent('Edit');
    await user.click(screen.getByTestId('edit'));
    expect(onEdit).toHaveBeenCalledOnce();

    expect(screen.getByTestId('delete')).toHaveTextContent('Delete');
    await user.click(screen.getByTestId('delete'));
    expect(await screen.findByText('Delete this row?')).toBeInTheDocument();
    expect(onDelete).not.toHaveBeenCalled();
    // the link itself, then the question's own "Delete"
    const buttons = screen.getAllByRole('button', { name: 'Delete' });
    expect(buttons).toHaveLength(2);
    await user.click(buttons[1] as HTMLElement);
    await waitFor(() => expect(onDelete).toHaveBeenCalledOnce());
  });
});
