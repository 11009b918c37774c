import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Form, Input } from 'antd';
import i18n from '../i18n';
import { renderWithApp } from '../test/render';
import { FormModal } from './FormModal';

function Dialog({ onClose }: { onClose: () => void }) {
  const [form] = Form.useForm();
  return (
    <FormModal open form={form} onCancel={onClose} title="dialog">
      <Form form={form}>
        <Form.Item name="note">
          <Input data-testid="note" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

describe('FormModal', () => {
  it('Esc closes an untouched dialog at once', async () => {
    await i18n.changeLanguage('en');
    const onClose = vi.fn();
    const user = userEvent.setup();
    renderWithApp(<Dialog onClose={onClose} />);
    await user.click(await screen.findByTestId('note'));
    await user.keyboard('{Escape}');
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
  });

  it('asks before Esc throws away typed text, and closes only when told to', async () => {
    await i18n.changeLanguage('en');
    const onClose = vi.fn();
    const user = userEvent.setup();
    renderWithApp(<Dialog onClose={onClose} />);
    await user.type(await screen.findByTestId('note'), 'half a sentence');
    await user.keyboard('{Escape}');
    expect(await screen.findByTestId('discard-confirm')).toBeInTheDocument();
    expect(screen.getAllByText('Discard what you typed?').length).toBeGreaterThan(0);
    await user.click(screen.getByText('Keep editing'));
    await waitFor(() => expect(screen.queryByTestId('discard-confirm')).toBeNull());
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByTestId('note')).toHaveValue('half a sentence');

    // the close button asks the same question
    await user.click(screen.getByRole('button', { name: /close/i }));
    await user.click(await screen.findByTestId('discard-confirm'));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
  });

  it('reads "Save" and "Cancel" unless told otherwise, and gives its OK button a test id', async () => {
    await i18n.changeLanguage('en');
    const onOk = vi.fn();
    const user = userEvent.setup();
    renderWithApp(
      <>
        <FormModal open title="first" onOk={onOk} okTestId="first-save" />
        <FormModal open title="second" okText="Assign" okButtonProps={{ danger: true }} okTestId="second-save" />
      </>,
    );
    expect(await screen.findByTestId('first-save')).toHaveTextContent('Save');
    expect(screen.getAllByRole('button', { name: 'Cancel' })).toHaveLength(2);
    await user.click(screen.getByTestId('first-save'));
    expect(onOk).toHaveBeenCalledOnce();
    const second = screen.getByTestId('second-save');
    expect(second).toHaveTextContent('Assign');
    expect(second.className).toContain('dangerous');
  });
});
