import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { ProblemError } from '../../api/problem';
import { renderWithApp } from '../../test/render';
import { requirement, stubApi } from './fixtures.test-utils';
import { StatusMoveModal } from './StatusMoveModal';

beforeEach(async () => {
  await i18n.changeLanguage('en');
  stubApi(() => undefined);
});
afterEach(() => vi.unstubAllGlobals());

const errorOf = (testId: string) => screen.getByTestId(testId).closest('.ant-form-item')?.querySelector('.ant-form-item-explain-error');

describe('the status prompt', { timeout: 30_000 }, () => {
  it('will not reject without a reason, then sends the reason', async () => {
    const onSubmit = vi.fn(async () => undefined);
    renderWithApp(<StatusMoveModal requirement={requirement()} to="rejected" onSubmit={onSubmit} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('status-move-save'));
    await waitFor(() => expect(errorOf('status-reason')).toHaveTextContent('Say why it is rejected'));
    expect(onSubmit).not.toHaveBeenCalled();
    await user.type(screen.getByTestId('status-reason'), '  Out of scope ');
    await user.click(screen.getByTestId('status-move-save'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ reason: 'Out of scope' }));
    expect(screen.queryByTestId('status-owner')).toBeNull();
  });

  it('asks planning for the owner and target date the requirement lacks', async () => {
    const onSubmit = vi.fn(async () => undefined);
    renderWithApp(<StatusMoveModal requirement={requirement({ status: 'analyzing' })} to="planned" onSubmit={onSubmit} onCancel={() => undefined} />);
    const user = userEvent.setup();
    expect(await screen.findByTestId('status-plan-needs')).toBeInTheDocument();
    await user.click(screen.getByTestId('status-move-save'));
    await waitFor(() => expect(errorOf('status-owner')).toHaveTextContent('Choose an owner'));
    expect(errorOf('status-target-date')).toHaveTextContent('Choose a target date');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('does not ask for what the requirement already has', async () => {
    renderWithApp(
      <StatusMoveModal requirement={requirement({ status: 'analyzing', owner_id: 'u2', target_date: null })} to="planned" onSubmit={async () => undefined} onCancel={() => undefined} />,
    );
    expect(await screen.findByTestId('status-target-date')).toBeInTheDocument();
    expect(screen.queryByTestId('status-owner')).toBeNull();
  });

  it("shows the server's 422 field errors next to the fields", async () => {
    const onSubmit = vi.fn(async () => {
      throw new ProblemError({ type: 'v', title: 'Validation failed', status: 422, errors: [{ field: 'reason', code: 'too_long', message: 'at most 2000 characters' }] });
    });
    renderWithApp(<StatusMoveModal requirement={requirement()} to="rejected" onSubmit={onSubmit} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.type(await screen.findByTestId('status-reason'), 'no');
    await user.click(screen.getByTestId('status-move-save'));
    await waitFor(() => expect(errorOf('status-reason')).toHaveTextContent('at most 2000 characters'));
  });
});
