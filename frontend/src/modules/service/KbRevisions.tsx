import { useMemo } from 'react';
import { App, Button, Card, Col, Empty, Popconfirm, Row, Select, Space, Spin, Tabs, Tag, Typography } from 'antd';
import { ItemList } from '../../ui/ItemList';
import { ArrowLeftOutlined, RollbackOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { can } from '../../app/permissions';
import type { Article, ArticleRevision } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { LoadMore, useCursorRows } from '../../ui/CursorTable';
import { ErrorResult, Loaded } from '../../ui/ErrorResult';
import { useDocumentTitle } from '../../ui/documentTitle';
import { Markdown } from '../../ui/Markdown';
import { useMe } from '../auth/useSession';
import { categoryPath } from './kbCategories';
import { ArticleStatusTag, VisibilityTag } from './kbLabels';
import { diffStats, fieldChanges, lineDiff } from './revisionDiff';
import { useArticle, useKbCategories, useRevision, useRevisions, useUpdateArticle } from './useKb';

const positive = (v: string | null) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined);

/**
 * An article's revisions (`/service/kb/articles/:id/revisions?rev=N&compare=M`): the list newest first,
 * one revision as it read, what changed against another (the one before, by default) as a line diff,
 * and both side by side; a revision can be restored as the next one.
 */
export default function KbRevisions() {
  const { id = '' } = useParams();
  const article = useArticle(id);
  return <Loaded query={article}>{(data) => <Revisions article={data} />}</Loaded>;
}

function Revisions({ article }: { article: Article }) {
  const { t, i18n } = useTranslation();
  useDocumentTitle(t('kb.revisionsOf', { title: article.title }), t('service.tabs.kb'), t('nav.service'));
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const revisions = useRevisions(article.id);
  const rows = useCursorRows(revisions);
  const selected = positive(params.get('rev')) ?? article.revision;
  const compareParam = positive(params.get('compare'));
  const compare = compareParam ?? (selected > 1 ? selected - 1 : undefined);
  const choose = (rev: number, against?: number) => {
    const next = new URLSearchParams();
    next.set('rev', String(rev));
    if (against !== undefined) next.set('compare', String(against));
    setParams(next, { replace: true });
  };

  return (
    <div>
      <div className="page-head">
        <Space wrap>
          <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(`/service/kb/articles/${article.id}`, { state: { counted: true } })} data-testid="revisions-back">{t('common.back')}</Button>
          <Typography.Title level={3}>{t('kb.revisionsOf', { title: article.title })}</Typography.Title>
        </Space>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('kb.revisionList')}>
            {revisions.isError ? (
              <ErrorResult error={revisions.error} onRetry={() => void revisions.refetch()} />
            ) : (
              <ItemList<ArticleRevision>
                size="small"
                loading={revisions.isPending}
                dataSource={rows}
                data-testid="revision-list"
                renderItem={(r) => (
                  <ItemList.Item
                    key={r.revision}
                    className={r.revision === selected ? 'revision-selected' : undefined}
                    style={{ cursor: 'pointer' }}
                    onClick={() => choose(r.revision)}
                    data-testid="revision-item"
                    data-revision={r.revision}
                  >
                    <ItemList.Item.Meta
                      title={
                        <Space size={4} wrap>
                          <span>{t('kb.revisionNumber', { n: r.revision })}</span>
                          {r.revision === article.revision && <Tag color="blue">{t('kb.current')}</Tag>}
                        </Space>
                      }
                      description={
                        <>
                          <div>{r.author_name ?? '—'} · {formatDateTime(r.created_at, i18n.language)}</div>
                          {r.note && <div className="revision-note" data-testid="revision-note">{r.note}</div>}
                        </>
                      }
                    />
                  </ItemList.Item>
                )}
              />
            )}
            <LoadMore query={revisions} compact block />
          </Card>
        </Col>
        <Col xs={24} lg={16}>
          <RevisionView article={article} selected={selected} compare={compare} onCompare={(m) => choose(selected, m)} />
        </Col>
      </Row>
    </div>
  );
}

function RevisionView({ article, selected, compare, onCompare }: { article: Article; selected: number; compare?: number; onCompare: (m: number) => void }) {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { message } = App.useApp();
  const writeFailed = useWriteFailed();
  const categories = useKbCategories();
  const current = useRevision(article.id, selected);
  const other = useRevision(article.id, compare);
  const update = useUpdateArticle();
  const diff = useMemo(() => (current.data && other.data ? orderedDiff(other.data, current.data) : null), [current.data, other.data]);

  if (current.isPending) return <Spin />;
  if (current.isError) return <ErrorResult error={current.error} onRetry={() => void current.refetch()} />;
  const r = current.data;

  const restore = () =>
    update.mutate(
      {
        article,
        patch: {
          title: r.title, body: r.body, category_id: r.category_id ?? null, visibility: r.visibility, status: r.status, tags: r.tags,
          note: t('kb.restoredNote', { n: r.revision }),
        },
      },
      {
        onSuccess: (a) => {
          void message.success(t('kb.restored', { n: r.revision, next: a.revision }));
          navigate(`/service/kb/articles/${a.id}`, { state: { counted: true } });
        },
        onError: writeFailed,
      },
    );

  const options = Array.from({ length: article.revision }, (_, i) => article.revision - i)
    .filter((n) => n !== selected)
    .map((n) => ({ value: n, label: t('kb.revisionNumber', { n }) }));

  const changes = diff ? fieldChanges(diff.older, diff.newer) : [];
  const shown = (c: (typeof changes)[number], v: string) =>
    c.field === 'category_id' ? (categoryPath(categories.data, v) ?? t('kb.uncategorised'))
      : c.field === 'status' ? t(`kb.status.${v}`)
        : c.field === 'visibility' ? t(`kb.visibility.${v}`) : v || '—';

  return (
    <Card
      size="small"
      data-testid="revision-view"
      data-revision={r.revision}
      title={
        <Space wrap>
          <span>{t('kb.revisionNumber', { n: r.revision })}</span>
          <ArticleStatusTag status={r.status} />
          <VisibilityTag visibility={r.visibility} />
        </Space>
      }
      extra={
        r.revision !== article.revision && can(me, 'service', 'update') && (
          <Popconfirm title={t('kb.restoreConfirm', { n: r.revision })} okText={t('kb.restore')} cancelText={t('common.cancel')} onConfirm={restore}>
            <Button size="small" icon={<RollbackOutlined />} loading={update.isPending} data-testid="revision-restore">{t('kb.restore')}</Button>
          </Popconfirm>
        )
      }
    >
      <Typography.Paragraph type="secondary">
        {r.author_name ?? '—'} · {formatDateTime(r.created_at, i18n.language)}
        {r.note && <> · {r.note}</>}
      </Typography.Paragraph>
      <Tabs
        defaultActiveKey="changes"
        items={[
          {
            key: 'changes',
            label: <span data-testid="revision-tab-changes">{t('kb.changes')}</span>,
            children: (
              <div>
                <Space wrap style={{ marginBottom: 8 }}>
                  <span>{t('kb.compareWith')}</span>
                  <Select<number> value={compare} onChange={onCompare} options={options} style={{ minWidth: 140 }} placeholder={t('kb.noEarlier')} data-testid="revision-compare" />
                  {diff && (
                    <Typography.Text type="secondary" data-testid="revision-stats">
                      {t('kb.diffStats', { added: diffStats(diff.lines).added, removed: diffStats(diff.lines).removed })}
                    </Typography.Text>
                  )}
                </Space>
                {compare === undefined ? (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.firstRevision')} />
                ) : other.isPending ? (
                  <Spin />
                ) : other.isError ? (
                  <ErrorResult error={other.error} />
                ) : diff ? (
                  <>
                    {changes.length > 0 && (
                      <ul className="revision-fields" data-testid="revision-field-changes">
                        {changes.map((c) => (
                          <li key={c.field}>
                            <strong>{t(`kb.field.${c.field}`)}</strong>: <del>{shown(c, c.from)}</del> → <ins>{shown(c, c.to)}</ins>
                          </li>
                        ))}
                      </ul>
                    )}
                    <div className="revision-diff" data-testid="revision-diff">
                      {diff.lines.map((l, i) => (
                        <div key={i} className={`diff-line diff-${l.kind}`} data-kind={l.kind}>
                          <span className="diff-no">{l.oldNo ?? ''}</span>
                          <span className="diff-no">{l.newNo ?? ''}</span>
                          <span className="diff-sign">{l.kind === 'added' ? '+' : l.kind === 'removed' ? '−' : ' '}</span>
                          <span className="diff-text">{l.text}</span>
                        </div>
                      ))}
                    </div>
                  </>
                ) : null}
              </div>
            ),
          },
          {
            key: 'read',
            label: <span data-testid="revision-tab-read">{t('kb.asItRead')}</span>,
            children: (
              <>
                <Typography.Title level={4}>{r.title}</Typography.Title>
                <Markdown testId="revision-body">{r.body}</Markdown>
              </>
            ),
          },
          {
            key: 'side',
            label: <span data-testid="revision-tab-side">{t('kb.sideBySide')}</span>,
            children:
              diff ? (
                <Row gutter={16} data-testid="revision-side-by-side">
                  {[diff.older, diff.newer].map((x) => (
                    <Col xs={24} md={12} key={x.revision}>
                      <Tag>{t('kb.revisionNumber', { n: x.revision })}</Tag>
                      <Typography.Title level={5}>{x.title}</Typography.Title>
                      <Markdown>{x.body}</Markdown>
                    </Col>
                  ))}
                </Row>
              ) : (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.firstRevision')} />
              ),
          },
        ]}
      />
    </Card>
  );
}

/** Orders two revisions oldest first and diffs their bodies. */
function orderedDiff(a: ArticleRevision, b: ArticleRevision) {
  const [older, newer] = a.revision < b.revision ? [a, b] : [b, a];
  return { older, newer, lines: lineDiff(older.body, newer.body) };
}
