import { Button, Card, Col, Empty, Row, Segmented, Space, Tag, Tree, Typography } from 'antd';
import { ItemList } from '../../ui/ItemList';
import { EyeOutlined, LikeOutlined, PlusOutlined, SettingOutlined, ToolOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can, scopeOf } from '../../app/permissions';
import { ARTICLE_SORTS, ARTICLE_STATUSES, ARTICLE_VISIBILITIES, type ArticleSort, type ArticleSummary } from '../../api/types';
import { formatDateTime, formatNumber } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { categoryPath, categoryTree } from './kbCategories';
import { articleFiltersToQuery, articleFiltersToSearch, parseArticleFilters } from './kbFilters';
import { ArticleStatusTag, VisibilityTag } from './kbLabels';
import { useArticleList, useKbCategories } from './useKb';
import { useUrlFilters } from '../../ui/useUrlFilters';
import { cursorTotal, LoadMore, TotalBadge, useCursorRows } from '../../ui/CursorTable';
import { EnumFilter, EnumMultiFilter, FilterBar, TextFilter } from '../../ui/FilterBar';

/** `-view_count` → `view_count`, the i18n key of a sort. */
export const sortKey = (s: ArticleSort) => s.replace(/^-/, '');

/** An article's counts: views, helpful votes, tickets it solved. */
export function ArticleCounts({ a }: { a: Pick<ArticleSummary, 'view_count' | 'helpful_count' | 'ticket_count'> }) {
  const { t, i18n } = useTranslation();
  const n = (v: number) => formatNumber(v, i18n.language);
  return (
    <Space size="middle" wrap className="kb-counts">
      <span title={t('kb.views')} data-testid="article-views"><EyeOutlined /> {n(a.view_count)}</span>
      <span title={t('kb.helpful')} data-testid="article-helpful"><LikeOutlined /> {n(a.helpful_count)}</span>
      <span title={t('kb.ticketsSolved')} data-testid="article-tickets"><ToolOutlined /> {n(a.ticket_count)}</span>
    </Space>
  );
}

/** The knowledge base (`/service/kb`): search with filters and sort in the URL, a category tree, "load more". */
export default function KbList() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { filters, update, field } = useUrlFilters(parseArticleFilters, articleFiltersToSearch);
  const categories = useKbCategories();
  const list = useArticleList(articleFiltersToQuery(filters));
  const rows = useCursorRows(list);
  const curator = scopeOf(me, 'service', 'update') === 'all';

  const treeData = [
    { key: '', title: <span data-testid="kb-category-all">{t('kb.allCategories')}</span> },
    ...categoryTree(categories.data ?? []).map(({ category, sections }) => ({
      key: category.id,
      title: <span data-testid="kb-category" data-name={category.name}>{category.name}</span>,
      children: sections.map((s) => ({ key: s.id, title: <span data-testid="kb-category" data-name={s.name}>{s.name}</span> })),
    })),
  ];

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={6}>
        <Card
          size="small"
          title={t('kb.categories')}
          extra={curator && (
            <Button size="small" type="link" icon={<SettingOutlined />} onClick={() => navigate('/service/kb/categories')} data-testid="kb-manage-categories">
              {t('kb.manageCategories')}
            </Button>
          )}
        >
          <Tree
            blockNode
            defaultExpandAll
            key={categories.data?.length ?? 0}
            selectedKeys={[filters.category_id ?? '']}
            onSelect={(keys) => update({ category_id: keys.length > 0 && keys[0] ? String(keys[0]) : undefined })}
            treeData={treeData}
            data-testid="kb-category-tree"
          />
        </Card>
      </Col>
      <Col xs={24} lg={18}>
        <div className="page-head">
          <Segmented<ArticleSort>
            {...field('sort')}
            options={ARTICLE_SORTS.map((s) => ({ value: s, label: <span data-testid={`kb-sort-${sortKey(s)}`}>{t(`kb.sort.${sortKey(s)}`)}</span> }))}
            data-testid="kb-sort"
          />
          <span style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
            <TotalBadge total={cursorTotal(list)} data-testid="kb-total" />
            {can(me, 'service', 'create') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/service/kb/new')} data-testid="kb-new">
                {t('kb.create')}
              </Button>
            )}
          </span>
        </div>
        <FilterBar
          data-testid="kb-filters"
          search={{ value: filters.q, onChange: (q) => update({ q }), placeholder: t('kb.searchPlaceholder'), width: 260, 'data-testid': 'kb-search' }}
        >
          <EnumMultiFilter values={ARTICLE_STATUSES} labelKey="kb.status" placeholder={t('kb.statusLabel')} {...field('status')} data-testid="kb-filter-status" />
          <EnumFilter values={ARTICLE_VISIBILITIES} labelKey="kb.visibility" placeholder={t('kb.visibilityLabel')} {...field('visibility')} data-testid="kb-filter-visibility" />
          <TextFilter {...field('tag')} placeholder={t('kb.tag')} width={160} data-testid="kb-filter-tag" />
        </FilterBar>
        <ItemList<ArticleSummary>
          itemLayout="vertical"
          dataSource={rows}
          loading={list.isFetching && !list.isFetchingNextPage}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.empty')} /> }}
          data-testid="kb-results"
          renderItem={(a) => (
            <ItemList.Item key={a.id} data-testid="kb-result" data-id={a.id} extra={<ArticleCounts a={a} />}>
              <ItemList.Item.Meta
                title={
                  <Space wrap size={4}>
                    <Link to={`/service/kb/articles/${a.id}`} data-testid="kb-result-link">{a.title}</Link>
                    <ArticleStatusTag status={a.status} />
                    <VisibilityTag visibility={a.visibility} />
                  </Space>
                }
                description={
                  <Space wrap size={4} separator="·">
                    {categoryPath(categories.data, a.category_id) ?? t('kb.uncategorised')}
                    {a.owner_name && <span>{a.owner_name}</span>}
                    <span>{t('kb.updatedAt', { time: formatDateTime(a.updated_at, i18n.language) })}</span>
                  </Space>
                }
              />
              <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ marginBottom: 4 }}>{a.excerpt}</Typography.Paragraph>
              {a.tags.map((tag) => (
                <Tag key={tag} style={{ cursor: 'pointer' }} onClick={() => update({ tag })}>{tag}</Tag>
              ))}
            </ItemList.Item>
          )}
        />
        <LoadMore query={list} shown={rows.length} end data-testid="load-more" />
      </Col>
    </Row>
  );
}
