import { useState } from 'react';
import { Button, Empty, Input, Spin, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { formatDate } from '../../../i18n/format';
import { LoadMore, useCursorRows } from '../../../ui/CursorTable';
import { ErrorResult } from '../../../ui/ErrorResult';
import { usePortalArticles, usePortalCategories } from './usePortal';

/** The help centre (`/portal/kb?q=…&category_id=…`): public articles, searched and browsed by category. */
export default function PortalKb() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  const categoryId = params.get('category_id') ?? '';
  const [draft, setDraft] = useState(q);
  const categories = usePortalCategories();
  const list = usePortalArticles({ q, category_id: categoryId });
  const rows = useCursorRows(list);
  const set = (next: { q?: string; category_id?: string }) => {
    const out = new URLSearchParams();
    const nq = next.q ?? q;
    const nc = next.category_id ?? categoryId;
    if (nq) out.set('q', nq);
    if (nc) out.set('category_id', nc);
    setParams(out, { replace: true });
  };
  const topLevel = (categories.data ?? []).filter((c) => !c.parent_id);

  return (
    <div>
      <div className="portal-hero">
        <Typography.Title level={3}>{t('portal.kb.title')}</Typography.Title>
        <Input.Search
          size="large"
          allowClear
          enterButton={t('portal.kb.search')}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onSearch={(v) => set({ q: v.trim() })}
          placeholder={t('portal.kb.placeholder')}
          data-testid="portal-kb-search"
        />
        {topLevel.length > 0 && (
          <div className="portal-categories" data-testid="portal-kb-categories">
            <Tag.CheckableTag checked={!categoryId} onChange={() => set({ category_id: '' })}>{t('portal.kb.all')}</Tag.CheckableTag>
            {topLevel.map((c) => (
              <Tag.CheckableTag key={c.id} checked={categoryId === c.id} onChange={() => set({ category_id: categoryId === c.id ? '' : c.id })}>
                {c.name}
              </Tag.CheckableTag>
            ))}
          </div>
        )}
      </div>
      {list.isError && !list.data ? (
        <ErrorResult error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Spin />
      ) : rows.length === 0 ? (
        <Empty description={q ? t('portal.kb.noMatch') : t('portal.kb.empty')} data-testid="portal-kb-empty">
          <Link to="/portal/tickets/new"><Button type="primary">{t('portal.kb.ask')}</Button></Link>
        </Empty>
      ) : (
        <div className="portal-article-list" data-testid="portal-kb-results">
          {rows.map((a) => (
            <Link key={a.id} to={`/portal/kb/${a.id}`} className="portal-article-card" data-testid="portal-kb-result">
              <Typography.Text strong className="portal-article-title">{a.title}</Typography.Text>
              <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: '4px 0' }}>{a.excerpt}</Typography.Paragraph>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('portal.kb.updated', { date: formatDate(a.updated_at, i18n.language) })}
                {a.tags.length > 0 && ` · ${a.tags.join(' · ')}`}
              </Typography.Text>
            </Link>
          ))}
        </div>
      )}
      <LoadMore query={list} data-testid="portal-load-more" />
    </div>
  );
}
