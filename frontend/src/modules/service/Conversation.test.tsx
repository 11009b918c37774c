import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { TicketComment } from '../../api/types';
import { json, renderWithApp } from '../../test/render';
import { Conversation, ReplyBox } from './Conversation';
import { ticket } from './fixtures.test-utils';

const comments: TicketComment[] = [
  { id: 'c1', ticket_id: 't1', author_id: 'u1', author_name: '刘洋', body: '客户来电说打印机卡纸', public: false, from_customer: false, created_at: '2026-11-23T02:00:00Z' },
  { id: 'c2', ticket_id: 't1', author_id: 'u1', author_name: '刘洋', body: '您好，我们已收到您的问题。', public: true, from_customer: false, created_at: '2026-11-23T02:05:00Z' },
  { id: 'c3', ticket_id: 't1', author_id: null, author_name: null, body: 'Checked the\nfirmware', public: false, from_customer: false, created_at: '2026-11-23T02:10:00Z' },
  // written by the customer in the portal
  { id: 'c4', ticket_id: 't1', author_id: null, author_name: null, body: '谢谢，明天上午可以', public: true, from_customer: true, created_at: '2026-11-23T02:20:00Z' },
];

afterEach(() => vi.unstubAllGlobals());

describe('<Conversation>', () => {
  it('keeps the order given (oldest first) and sets internal notes apart from public replies', async () => {
    await i18n.changeLanguage('zh-CN');
    renderWithApp(<Conversation comments={comments} />);
    const items = screen.getAllByTestId('ticket-comment');
    expect(items.map((i) => within(i).getByTestId('comment-body').textContent)).toEqual([
      '客户来电说打印机卡纸', '您好，我们已收到您的问题。', 'Checked the\nfirmware', '谢谢，明天上午可以',
    ]);
    const [note, reply, anonymous, customer] = items as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];
    expect(note).toHaveAttribute('data-visibility', 'internal');
    expect(note).toHaveClass('ticket-comment-internal');
    expect(within(note).getByTestId('comment-kind')).toHaveTextContent('内部备注');
    expect(reply).toHaveAttribute('data-visibility', 'public');
    expect(reply).toHaveClass('ticket-comment-public');
    expect(reply).not.toHaveClass('ticket-comment-internal');
    expect(within(reply).getByTestId('comment-kind')).toHaveTextContent('公开回复');
    expect(within(reply).queryByText('内部备注')).toBeNull();
    expect(within(anonymous).getByText('未知')).toBeInTheDocument();
    expect(customer).toHaveAttribute('data-from-customer', 'true');
    expect(customer).toHaveClass('ticket-comment-customer');
    expect(within(customer).getByTestId('comment-kind')).toHaveTextContent('客户留言');
    expect(reply).not.toHaveAttribute('data-from-customer');
  });

  it('says so when there is nothing yet', async () => {
    await i18n.changeLanguage('en');
    renderWithApp(<Conversation comments={[]} />);
    expect(screen.getByText('No comments yet')).toBeInTheDocument();
    expect(screen.queryByTestId('ticket-comment')).toBeNull();
  });
});

describe('<ReplyBox>', () => {
  it('sends an internal note by default and a public reply when switched', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const sent: unknown[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const body = (await req.json()) as { body: string; public: boolean };
      sent.push({ path: new URL(req.url).pathname, ...body });
      return json(201, { id: `c${sent.length}`, ticket_id: 't1', author_id: 'u1', author_name: 'A', from_customer: false, body: body.body, public: body.public, created_at: '2026-11-23T02:00:00Z' });
    }));
    const user = userEvent.setup();
    renderWithApp(<ReplyBox ticket={ticket()} />);
    // an empty one is not sent
    await user.click(screen.getByTestId('reply-send'));
    expect(await screen.findByTestId('reply-error')).toHaveTextContent('Write something first');
    expect(screen.getByTestId('ticket-reply')).toHaveClass('ticket-reply-internal');
    await user.type(screen.getByTestId('reply-body'), 'checked the logs');
    expect(screen.getByTestId('reply-send')).toHaveTextContent('Add note');
    await user.click(screen.getByTestId('reply-send'));
    await waitFor(() => expect(sent).toEqual([{ path: '/api/v1/tickets/t1/comments', body: 'checked the logs', public: false }]));
    await waitFor(() => expect(screen.getByTestId('reply-body')).toHaveValue(''));

    await user.click(screen.getByTestId('reply-public'));
    expect(screen.getByTestId('ticket-reply')).toHaveClass('ticket-reply-public');
    expect(screen.getByTestId('reply-send')).toHaveTextContent('Send reply');
    await user.type(screen.getByTestId('reply-body'), 'We are on it');
    await user.click(screen.getByTestId('reply-send'));
    await waitFor(() => expect(sent[1]).toEqual({ path: '/api/v1/tickets/t1/comments', body: 'We are on it', public: true }));
  }, 30_000);
});
