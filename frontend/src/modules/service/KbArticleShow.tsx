import { App, Button, Card, Descriptions, Empty, Popconfirm, Space, Tag, Typography } from 'antd';
import { ItemList } from '../../ui/ItemList';
import { DeleteOutlined, EditOutlined, HistoryOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { can } from '../../app/permissions';
import type { Article, Ticket } from '../../api/types';
import { dateTimeOrDash, formatDateTime, formatNumber } from '../../i18n/format';
import { cursorTotal, LoadMore, useCursorRows } from '../../ui/CursorTable';
import { ErrorResult, Loaded } from '../../ui/ErrorResult';
import { HelpfulVote } from '../../ui/HelpfulVote';
import { useDocumentTitle } from '../../ui/documentTitle';
import { Markdown } from '../../ui/Markdown';
import { useMe } from '../auth/useSession';
import { categoryPath } from './kbCategories';
import { ArticleStatusTag, VisibilityTag } from './kbLabels';
import { ArticleCounts } from './KbList';
import { TicketStatusTag } from './labels';
import { useArticle, useDeleteArticle, useKbCategories, useTicketsSolved, useVoteArticle } from './useKb';
import { RecordHead } from '../../ui/RecordHead';
import { RecordColumns } from '../../ui/RecordPage';

/**
 * An article's page (`/service/kb/articles/:id`): opening it counts a view, coming back to it from its
 * editor or its revisions does not (they navigate here with `state.counted`).
 */
export default function KbArticleShow() {
  const { id = '' } = useParams();
  const { state } = useLocation();
  const article = useArticle(id, { countView: !(state as { counted?: boolean } | null)?.counted });
  return <Loaded query={article}>{(data) => <Show a={data} />}</Loaded>;
}

function Show({ a }: { a: Article }) {
  const { t, i18n } = useTranslation();
  useDocumentTitle(a.title, t('service.tabs.kb'), t('nav.service'));
  const lang = i18n.language;
  const me = useMe().data;
  const navigate = useNavigate();
  const { message } = App.useApp();
  const writeFailed = useWriteFailed();
  const categories = useKbCategories();
  const vote = useVoteArticle();
  const remove = useDeleteArticle();

  const onDelete = () =>
    remove.mutate(a, {
      onSuccess: () => {
        void message.success(t('kb.deleted'));
        navigate('/service/kb', { replace: true });
      },
      onError: writeFailed,
    });

  return (
    <RecordColumns
      mainSpan={17}
      side={<SolvedTickets articleId={a.id} />}
    >
      <Card>
        <RecordHead
          title={a.title}
          titleTestId="article-title"
          tags={
            <>
              <ArticleStatusTag status={a.status} />
              <VisibilityTag visibility={a.visibility} />
            </>
          }
          actions={
          <>
            <Button icon={<HistoryOutlined />} onClick={() => navigate(`/service/kb/articles/${a.id}/revisions`)} data-testid="article-revisions">
              {t('kb.revisions', { count: a.revision })}
            </Button>
            {can(me, 'service', 'update') && (
              <Button type="primary" icon={<EditOutlined />} onClick={() => navigate(`/service/kb/articles/${a.id}/edit`)} data-testid="article-edit">
                {t('common.edit')}
              </Button>
            )}
            {can(me, 'service', 'delete') && (
              <Popconfirm title={t('kb.deleteConfirm')} okText={t('common.delete')} cancelText={t('common.cancel')} onConfirm={onDelete}>
                <Button danger icon={<DeleteOutlined />} loading={remove.isPending} data-testid="article-delete">{t('common.delete')}</Button>
              </Popconfirm>
            )}
          </>
          }
        />
        <Descriptions size="small" column={{ xs: 1, sm: 2, xl: 3 }} data-testid="article-meta">
          <Descriptions.Item label={t('kb.category')}>{categoryPath(categories.data, a.category_id) ?? t('kb.uncategorised')}</Descriptions.Item>
          <Descriptions.Item label={t('kb.owner')}>{a.owner_name ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('kb.revision')}>{a.revision}</Descriptions.Item>
          <Descriptions.Item label={t('kb.publishedAt')}>{dateTimeOrDash(a.published_at, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('kb.updated')}>{formatDateTime(a.updated_at, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('kb.tags')}>{a.tags.length > 0 ? a.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) : '—'}</Descriptions.Item>
        </Descriptions>
        <div style={{ margin: '8px 0 16px' }}>
          <ArticleCounts a={a} />
          <Typography.Text type="secondary" style={{ marginLeft: 16 }}>
            {t('kb.notHelpfulCount', { formatted: formatNumber(a.not_helpful_count, lang) })}
          </Typography.Text>
        </div>
        <Markdown testId="article-body">{a.body}</Markdown>
        <HelpfulVote key={a.id} pending={vote.isPending} onVote={(helpful) => vote.mutateAsync({ id: a.id, helpful })} />
      </Card>
    </RecordColumns>
  );
}

/** The tickets this article was used to solve. */
function SolvedTickets({ articleId }: { articleId: string }) {
  const { t, i18n } = useTranslation();
  const solved = useTicketsSolved(articleId);
  const rows = useCursorRows(solved);
  const total = cursorTotal(solved);
  return (
    <Card
      size="small"
      title={total !== undefined ? t('kb.solvedTicketsCount', { count: total }) : t('kb.solvedTickets')}
      data-testid="article-solved-tickets"
    >
      {solved.isError ? (
        <ErrorResult error={solved.error} onRetry={() => void solved.refetch()} />
      ) : (
        <ItemList<Ticket>
          size="small"
          loading={solved.isPending}
          dataSource={rows}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.noSolvedTickets')} /> }}
          renderItem={(x) => (
            <ItemList.Item key={x.id} data-testid="solved-ticket">
              <ItemList.Item.Meta
                title={<Space size={4} wrap><Link to={`/service/tickets/${x.id}`}>{x.number}</Link><TicketStatusTag status={x.status} /></Space>}
                description={<>{x.subject}<br />{x.customer_name} · {formatDateTime(x.created_at, i18n.language)}</>}
              />
            </ItemList.Item>
          )}
        />
      )}
      <LoadMore query={solved} compact block />
    </Card>
  );
}
