import { useState } from 'react';
import { App, Button, Card, Drawer, Empty, Input, Popconfirm, Space, Spin, Tag, Typography } from 'antd';
import { ItemList } from '../../ui/ItemList';
import { BookOutlined, CheckOutlined, DisconnectOutlined, ExportOutlined, LinkOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ArticleSummary, Ticket } from '../../api/types';
import { LoadMore, useCursorRows } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { useProblemText } from '../../ui/problemText';
import { Markdown } from '../../ui/Markdown';
import { ArticleStatusTag, VisibilityTag } from './kbLabels';
import { ArticleCounts } from './KbList';
import { useArticle, useArticleList, useLinkArticle, useTicketArticles, useUnlinkArticle } from './useKb';

/**
 * The ticket page's knowledge-base card: the articles used to solve the ticket (unlink), and a search
 * (prefilled with the subject) whose results open in a drawer and can be linked ("used to solve").
 */
export function TicketArticles({ ticket, canUpdate }: { ticket: Ticket; canUpdate: boolean }) {
  const { t } = useTranslation();
  const problemText = useProblemText();
  const { message } = App.useApp();
  const linked = useTicketArticles(ticket.id);
  const link = useLinkArticle(ticket.id);
  const unlink = useUnlinkArticle(ticket.id);
  const [draft, setDraft] = useState(ticket.subject);
  const [q, setQ] = useState(ticket.subject.trim());
  const [open, setOpen] = useState<string | null>(null);
  const results = useArticleList({ q, status: 'published', sort: '-helpful_count' }, { limit: 5, enabled: q !== '' });
  const found = useCursorRows(results);
  const linkedIds = new Set((linked.data ?? []).map((a) => a.id));

  const doLink = (id: string) =>
    link.mutate(id, { onSuccess: () => void message.success(t('kb.linked')), onError: (e) => void message.error(problemText(e)) });
  const doUnlink = (id: string) =>
    unlink.mutate(id, { onSuccess: () => void message.success(t('kb.unlinked')), onError: (e) => void message.error(problemText(e)) });

  return (
    <Card title={<Space><BookOutlined />{t('ticket.relatedArticles')}</Space>} size="small" data-testid="ticket-related-articles">
      <Typography.Text strong>{t('kb.usedToSolve')}</Typography.Text>
      {linked.isError ? (
        <ErrorResult error={linked.error} onRetry={() => void linked.refetch()} />
      ) : (
        <ItemList<ArticleSummary>
          size="small"
          loading={linked.isPending}
          dataSource={linked.data ?? []}
          locale={{ emptyText: <Typography.Text type="secondary">{t('kb.noneLinked')}</Typography.Text> }}
          data-testid="ticket-linked-articles"
          renderItem={(a) => (
            <ItemList.Item
              key={a.id}
              data-testid="linked-article"
              data-id={a.id}
              actions={canUpdate ? [
                <Popconfirm
                  key="unlink"
                  title={t('kb.unlinkConfirm')}
                  okText={t('kb.unlink')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ 'data-testid': 'article-unlink-confirm' } as { danger?: boolean }}
                  onConfirm={() => doUnlink(a.id)}
                >
                  <Button size="small" type="link" danger icon={<DisconnectOutlined />} aria-label={t('kb.unlink')} data-testid="article-unlink" />
                </Popconfirm>,
              ] : []}
            >
              <Button type="link" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }} onClick={() => setOpen(a.id)}>{a.title}</Button>
            </ItemList.Item>
          )}
        />
      )}
      <div style={{ marginTop: 12 }}>
        <Input.Search
          allowClear
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onSearch={(v) => setQ(v.trim())}
          placeholder={t('kb.searchPlaceholder')}
          data-testid="ticket-article-search"
        />
        {q === '' ? null : results.isError ? (
          <ErrorResult error={results.error} onRetry={() => void results.refetch()} />
        ) : (
          <ItemList<ArticleSummary>
            size="small"
            loading={results.isFetching && !results.isFetchingNextPage}
            dataSource={found}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.noMatchHint')} /> }}
            data-testid="ticket-article-results"
            renderItem={(a) => (
              <ItemList.Item key={a.id} data-testid="ticket-article-result" data-id={a.id}>
                <ItemList.Item.Meta
                  title={<Button type="link" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }} onClick={() => setOpen(a.id)} data-testid="ticket-article-open">{a.title}</Button>}
                  description={<Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: 0 }}>{a.excerpt}</Typography.Paragraph>}
                />
                {linkedIds.has(a.id) ? (
                  <Tag color="success" icon={<CheckOutlined />}>{t('kb.isLinked')}</Tag>
                ) : canUpdate && (
                  <Button size="small" icon={<LinkOutlined />} loading={link.isPending && link.variables === a.id} onClick={() => doLink(a.id)} data-testid="ticket-article-link">
                    {t('kb.link')}
                  </Button>
                )}
              </ItemList.Item>
            )}
          />
        )}
        <LoadMore query={results} compact block size="small" />
      </div>
      <ArticleDrawer
        articleId={open}
        onClose={() => setOpen(null)}
        linked={open !== null && linkedIds.has(open)}
        canLink={canUpdate}
        linking={link.isPending}
        onLink={(id) => doLink(id)}
      />
    </Card>
  );
}

interface DrawerProps {
  articleId: string | null;
  onClose: () => void;
  linked: boolean;
  canLink: boolean;
  linking: boolean;
  onLink: (id: string) => void;
}

/** An article read beside the ticket; opening it counts a view. */
export function ArticleDrawer({ articleId, onClose, linked, canLink, linking, onLink }: DrawerProps) {
  const { t } = useTranslation();
  return (
    <Drawer open={articleId !== null} onClose={onClose} size="large" title={t('kb.article')} destroyOnHidden data-testid="article-drawer">
      {articleId && <DrawerBody id={articleId} linked={linked} canLink={canLink} linking={linking} onLink={onLink} />}
    </Drawer>
  );
}

function DrawerBody({ id, linked, canLink, linking, onLink }: { id: string; linked: boolean; canLink: boolean; linking: boolean; onLink: (id: string) => void }) {
  const { t } = useTranslation();
  const article = useArticle(id, { countView: true });
  if (article.isPending) return <Spin />;
  if (article.isError) return <ErrorResult error={article.error} onRetry={() => void article.refetch()} />;
  const a = article.data;
  return (
    <div data-testid="article-drawer-body">
      <Space wrap style={{ marginBottom: 8 }}>
        <ArticleStatusTag status={a.status} />
        <VisibilityTag visibility={a.visibility} />
        {a.tags.map((tag) => <Tag key={tag}>{tag}</Tag>)}
      </Space>
      <Typography.Title level={4} data-testid="drawer-article-title">{a.title}</Typography.Title>
      <ArticleCounts a={a} />
      <div style={{ margin: '12px 0' }}>
        <Markdown testId="drawer-article-body">{a.body}</Markdown>
      </div>
      <Space wrap>
        {linked ? (
          <Tag color="success" icon={<CheckOutlined />} data-testid="drawer-linked">{t('kb.isLinked')}</Tag>
        ) : canLink && (
          <Button type="primary" icon={<LinkOutlined />} loading={linking} onClick={() => onLink(a.id)} data-testid="drawer-link">{t('kb.linkToTicket')}</Button>
        )}
        <Link to={`/service/kb/articles/${a.id}`} target="_blank"><ExportOutlined /> {t('kb.openFull')}</Link>
      </Space>
    </div>
  );
}
