import type { Article, ArticleSummary, KbCategory } from '../../api/types';

/** A published public article; pass what a test needs different. */
export function article(patch: Partial<Article> = {}): Article {
  return {
    id: 'a1', category_id: 'c2', title: '打印机卡纸怎么办', body: '## 步骤\n\n1. 打开前盖\n2. 取出纸张', visibility: 'public', status: 'published',
    tags: ['打印机'], owner_id: 'u1', owner_name: 'Admin', revision: 2, view_count: 10, helpful_count: 4, not_helpful_count: 1, ticket_count: 2,
    published_at: '2026-11-20T02:00:00Z', created_at: '2026-11-20T02:00:00Z', updated_at: '2026-11-21T02:00:00Z', version: 5,
    ...patch,
  };
}

export function summary(a: Article = article()): ArticleSummary {
  const { body, owner_id: _o, created_at: _c, version: _v, ...rest } = a;
  return { ...rest, excerpt: body.replace(/[#\n]/g, ' ').trim() };
}

export const categories: KbCategory[] = [
  { id: 'c1', parent_id: null, name: '硬件', description: null, position: 0, article_count: 0, created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z', version: 1 },
  { id: 'c2', parent_id: 'c1', name: '打印机', description: null, position: 0, article_count: 1, created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z', version: 1 },
  { id: 'c3', parent_id: null, name: '软件', description: null, position: 1, article_count: 0, created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z', version: 1 },
];
