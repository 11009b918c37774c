import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Ticket } from '../../api/types';
import { json, renderWithApp } from '../../test/render';
import { CloseTicketModal } from './CloseTicketModal';
import { ticket } from './fixtures.test-utils';

afterEach(() => vi.unstubAllGlobals());

const open = ticket({ status: 'new' });
const sibling = ticket({ id: 't2', number: 'T-000122', subject: 'Printer jams again' });

/** Serves the customer's tickets and records every move; `refuse` is the answer to the first one. */
function serve(moves: { body: unknown; ifMatch: string | null }[], refuse?: Response) {
  tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/tickets' && url.searchParams.get('customer_id') === 'c1') {
      return json(200, { data: [open, sibling], next_cursor: null });
    }
    if (url.pathname === '/api/v1/tickets/t1/status') {
      const body = (await req.json()) as Partial<Ticket>;
      moves.push({ body, ifMatch: req.headers.get('If-Match') });
      if (refuse && moves.length === 1) return refuse;
      return json(200, { ...open, ...body, status: 'closed', duplicate_of_id: (body as { duplicate_of?: string }).duplicate_of ?? null, version: 4 });
    }
    return json(404, { type: '/problems/not-found', title: 'Not found', status: 404 });
  }));
}

const formItemOf = (testId: string) => screen.getByTestId(testId).closest('.ant-form-item') as HTMLElement;

async function choose(user: ReturnType<typeof userEvent.setup>, selectTestId: string, option: string) {
  await user.click(within(screen.getByTestId(selectTestId)).getByRole('combobox'));
  await user.click(await screen.findByTitle(option));
}

describe('<CloseTicketModal>', () => {
  it('asks why before it closes, in Chinese, and sends the reason with If-Match', async () => {
    await i18n.changeLanguage('zh-CN');
    const moves: { body: unknown; ifMatch: string | null }[] = [];
    serve(moves);
    const onClose = vi.fn();
    const user = userEvent.setup();
    renderWithApp(<CloseTicketModal open ticket={open} onClose={onClose} />);
    expect(await screen.findByText('关闭 T-000123')).toBeInTheDocument();
    expect(screen.getByTestId('close-hint')).toHaveTextContent('尚未解决');

    // no reason: nothing is sent
    await user.click(screen.getByTestId('close-save'));
    expect(await within(formItemOf('close-reason')).findByText('必填')).toBeInTheDocument();
    expect(moves).toEqual([]);

    // "other" needs a note
    await choose(user, 'close-reason', '其他');
    await user.click(screen.getByTestId('close-save'));
    expect(await within(formItemOf('close-note')).findByText('选择“其他”时请写明原因')).toBeInTheDocument();
    expect(moves).toEqual([]);

    // a duplicate names one of the customer's other tickets, never this one
    await choose(user, 'close-reason', '重复工单');
    await user.click(within(screen.getByTestId('close-duplicate-of')).getByRole('combobox'));
    expect(await screen.findByTitle('T-000122 Printer jams again')).toBeInTheDocument();
    expect(screen.queryByTitle('T-000123 Printer jams')).toBeNull();
    await user.click(screen.getByTitle('T-000122 Printer jams again'));
    await user.click(screen.getByTestId('close-save'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(moves).toEqual([
      { body: { status: 'closed', close_reason: 'duplicate', close_note: null, duplicate_of: 't2' }, ifMatch: '"3"' },
    ]);
  }, 60_000);

  it("shows the server's refusal in the UI's language, next to the field it names", async () => {
    await i18n.changeLanguage('zh-CN');
    const moves: { body: unknown; ifMatch: string | null }[] = [];
    const refusal = json(422, {
      type: '/problems/validation', title: 'Validation failed', status: 422, code: 'validation', detail: '1 field is invalid',
      errors: [{ field: 'duplicate_of', code: 'not_found', message: 'no ticket you can see has this id' }],
    });
    serve(moves, refusal);
    const onClose = vi.fn();
    const user = userEvent.setup();
    renderWithApp(<CloseTicketModal open ticket={open} onClose={onClose} />);
    await choose(user, 'close-reason', '重复工单');
    await user.click(within(await screen.findByTestId('close-duplicate-of')).getByRole('combobox'));
    await user.click(await screen.findByTitle('T-000122 Printer jams again'));
    await user.click(screen.getByTestId('close-save'));
    expect(await within(formItemOf('close-duplicate-of')).findByText('找不到，或您无权查看')).toBeInTheDocument();
    expect(screen.queryByText(/no ticket you can see/)).toBeNull();
    expect(onClose).not.toHaveBeenCalled();

    // another reason, with a note
    await choose(user, 'close-reason', '客户无响应');
    await user.type(screen.getByTestId('close-note'), '三次致电未接');
    await user.click(screen.getByTestId('close-save'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(moves[1]).toEqual({ body: { status: 'closed', close_reason: 'customer_unreachable', close_note: '三次致电未接', duplicate_of: null }, ifMatch: '"3"' });
  }, 60_000);
});
