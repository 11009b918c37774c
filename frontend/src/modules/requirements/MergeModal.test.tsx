import { beforeEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { renderWithApp } from '../../test/render';
import { MergeModal, mergePlan, type MergeSide } from './MergeModal';

const A: MergeSide = { id: 'a', number: 'REQ-000001', title: 'Batch export', status: 'collected', requester_count: 1, feedback_count: 0 };
const B: MergeSide = { id: 'b', number: 'REQ-000002', title: 'Batch export to Excel', status: 'analyzing', requester_count: 3, feedback_count: 2 };

beforeEach(async () => {
  await i18n.changeLanguage('en');
});

describe('the merge dialog', { timeout: 30_000 }, () => {
  it('keeps the current requirement by default and says what moves to it', async () => {
    const onSubmit = vi.fn();
    renderWithApp(<MergeModal open current={A} other={B} onSubmit={onSubmit} onCancel={() => undefined} />);
    expect(await screen.findByTestId('merge-moving-requesters')).toHaveTextContent('3 requesters move to REQ-000001');
    expect(screen.getByTestId('merge-duplicate-becomes')).toHaveTextContent('REQ-000002 becomes “Duplicate”');
    await userEvent.setup().click(screen.getByTestId('merge-confirm'));
    expect(onSubmit).toHaveBeenCalledWith('a', 'b');
  });

  it('lets the other one survive, and then the current one moves', async () => {
    const onSubmit = vi.fn();
    renderWithApp(<MergeModal open current={A} other={B} onSubmit={onSubmit} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('merge-keep-other'));
    expect(screen.getByTestId('merge-moving-requesters')).toHaveTextContent('1 requesters move to REQ-000002');
    expect(screen.getByTestId('merge-duplicate-becomes')).toHaveTextContent('REQ-000001 becomes');
    await user.click(screen.getByTestId('merge-confirm'));
    expect(onSubmit).toHaveBeenCalledWith('b', 'a');
  });

  it('plans the move from the duplicate to the survivor', () => {
    expect(mergePlan(A, B)).toMatchObject({ survivor: A, duplicate: B, movingRequesters: 3, movingFeedback: 2 });
    expect(mergePlan(B, A)).toMatchObject({ movingRequesters: 1, movingFeedback: 0 });
  });
});
