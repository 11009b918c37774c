import { useState } from 'react';
import { Alert, Avatar, Button, Empty, Input, Segmented, Space, Tag, Typography } from 'antd';
import { EyeInvisibleOutlined, GlobalOutlined, LockOutlined, SendOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Ticket, TicketComment } from '../../api/types';
import { isProblemError } from '../../api/problem';
import { fieldErrorText, useProblemText } from '../../ui/problemText';
import { formatDateTime } from '../../i18n/format';
import { useAddComment } from './useTickets';


/**
 * A ticket's conversation in the order given (the API's: oldest first). Internal notes, which the
 * customer never sees, sit on a yellow background with an "internal note" tag; public replies are white;
 * the customer's own messages (from the portal) are tinted blue.
 */
export function Conversation({ comments }: { comments: readonly TicketComment[] }) {
  const { t, i18n } = useTranslation();
  if (comments.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ticket.noComments')} />;
  return (
    <div className="ticket-conversation" data-testid="ticket-conversation">
      {comments.map((c) => {
        const kind = c.public ? 'public' : 'internal';
        const customer = c.from_customer;
        return (
          <div
            key={c.id}
            className={`ticket-comment ticket-comment-${kind}${customer ? ' ticket-comment-customer' : ''}`}
            data-testid="ticket-comment"
            data-visibility={kind}
            data-from-customer={customer ? 'true' : undefined}
          >
            <div className="ticket-comment-head">
              <Space size={6} wrap>
                <Avatar size="small" icon={<UserOutlined />} />
                <Typography.Text strong>{c.author_name ?? (customer ? t('ticket.theCustomer') : t('ticket.unknownAuthor'))}</Typography.Text>
                {customer ? (
                  <Tag color="cyan" icon={<UserOutlined />} data-testid="comment-kind">{t('ticket.fromCustomer')}</Tag>
                ) : c.public ? (
                  <Tag color="blue" icon={<GlobalOutlined />} data-testid="comment-kind">{t('ticket.publicReply')}</Tag>
                ) : (
                  <Tag color="gold" icon={<LockOutlined />} data-testid="comment-kind">{t('ticket.internalNote')}</Tag>
                )}
              </Space>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatDateTime(c.created_at, i18n.language)}</Typography.Text>
            </div>
            <div className="ticket-comment-body" data-testid="comment-body">{c.body}</div>
          </div>
        );
      })}
    </div>
  );
}

type Visibility = 'internal' | 'public';

/** The reply box: an internal note (default, the safer choice) or a public reply the customer sees. */
export function ReplyBox({ ticket }: { ticket: Ticket }) {
  const { t, i18n } = useTranslation();
  const problemText = useProblemText();
  const add = useAddComment();
  const [visibility, setVisibility] = useState<Visibility>('internal');
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const isPublic = visibility === 'public';

  const send = () => {
    if (!body.trim()) {
      setError(t('ticket.emptyComment'));
      return;
    }
    setError(null);
    add.mutate(
      { ticket, body: { body, public: isPublic } },
      {
        onSuccess: () => setBody(''),
        onError: (e) =>
          setError([problemText(e), ...(isProblemError(e) ? e.fieldErrors.map((f) => fieldErrorText(f, i18n)) : [])].join(' · ')),
      },
    );
  };

  return (
    <div className={`ticket-reply ticket-reply-${visibility}`} data-testid="ticket-reply">
      <Space style={{ marginBottom: 8 }} wrap>
        <Segmented<Visibility>
          value={visibility}
          onChange={setVisibility}
          options={[
            { value: 'internal', label: <span data-testid="reply-internal"><EyeInvisibleOutlined /> {t('ticket.internalNote')}</span> },
            { value: 'public', label: <span data-testid="reply-public"><GlobalOutlined /> {t('ticket.publicReply')}</span> },
          ]}
          data-testid="reply-visibility"
        />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {isPublic ? t('ticket.publicHint') : t('ticket.internalHint')}
        </Typography.Text>
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="reply-error" />}
      <Input.TextArea
        rows={4}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        placeholder={isPublic ? t('ticket.publicPlaceholder') : t('ticket.internalPlaceholder')}
        maxLength={10_000}
        data-testid="reply-body"
      />
      <div style={{ textAlign: 'right', marginTop: 8 }}>
        <Button type="primary" icon={<SendOutlined />} loading={add.isPending} onClick={send} data-testid="reply-send">
          {isPublic ? t('ticket.sendReply') : t('ticket.addNote')}
        </Button>
      </div>
    </div>
  );
}
