import { describe, expect, it } from 'vitest';
import { articleToForm, reapplyArticle, toArticlePatch, toCreateArticle, newArticleValues } from './articleForm';
import { categoryPath, categoryTree } from './kbCategories';
import { articleFiltersToQuery, articleFiltersToSearch, parseArticleFilters } from './kbFilters';
import { article, categories } from './kb.fixtures.test-utils';
import { diffStats, lineDiff } from './revisionDiff';

describe('article list filters', () => {
  it('round-trip through the URL and drop what they do not know', () => {
    const f = parseArticleFilters(new URLSearchParams('q=%20打印机%20卡纸%20&status=published,bogus&visibility=secret&tag=硬件&category_id=c1&sort=-view_count'));
    expect(f).toEqual({ q: '打印机 卡纸', status: ['published'], tag: '硬件', category_id: 'c1', sort: '-view_count' });
    expect(parseArticleFilters(articleFiltersToSearch(f))).toEqual(f);
  });

  it('leave the default order out of the URL but always send it', () => {
    const f = parseArticleFilters(new URLSearchParams('visibility=public'));
    expect(articleFiltersToSearch(f).toString()).toBe('visibility=public');
    expect(articleFiltersToQuery(f)).toEqual({ visibility: 'public', sort: '-updated_at' });
  });
});

describe('categories', () => {
  it('form a two-level tree with paths', () => {
    const tree = categoryTree(categories);
    expect(tree.map((n) => [n.category.name, n.sections.map((s) => s.name)])).toEqual([['硬件', ['打印机']], ['软件', []]]);
    expect(categoryPath(categories, 'c2')).toBe('硬件 / 打印机');
    expect(categoryPath(categories, 'c3')).toBe('软件');
    expect(categoryPath(categories, 'gone')).toBeUndefined();
  });
});

describe('article form', () => {
  it('creates with trimmed title, unique tags and null for no category', () => {
    expect(toCreateArticle({ ...newArticleValues(), title: '  标题 ', body: 'x', tags: ['a', ' a', 'b', ''], category_id: undefined })).toEqual({
      title: '标题', body: 'x', category_id: null, visibility: 'internal', status: 'draft', tags: ['a', 'b'],
    });
  });

  it('patches only what changed, with the note; nothing when nothing changed', () => {
    const base = article();
    expect(toArticlePatch(base, { ...articleToForm(base), note: 'typo' })).toEqual({});
    expect(toArticlePatch(base, { ...articleToForm(base), body: base.body + '\n3. 合上前盖', status: 'archived', note: ' 补充步骤 ' })).toEqual({
      body: `${base.body}\n3. 合上前盖`, status: 'archived', note: '补充步骤',
    });
    expect(toArticlePatch(base, { ...articleToForm(base), category_id: undefined })).toEqual({ category_id: null });
  });

  it("reapplies the user's own changes on top of the latest version after a 412", () => {
    const base = article();
    const latest = article({ title: '打印机卡纸处理（新版）', tags: ['打印机', '常见问题'], version: 6, revision: 3 });
    const mine = { ...articleToForm(base), body: '我的正文', note: '重写' };
    expect(reapplyArticle(base, latest, mine)).toEqual({ ...articleToForm(latest), body: '我的正文', note: '重写' });
  });
});

describe('revision diff', () => {
  it('numbers lines on both sides and counts changes', () => {
    const lines = lineDiff('a\nb\nc\n', 'a\nB\nc\nd\n');
    expect(lines).toEqual([
      { kind: 'same', text: 'a', oldNo: 1, newNo: 1 },
      { kind: 'removed', text: 'b', oldNo: 2 },
      { kind: 'added', text: 'B', newNo: 2 },
      { kind: 'same', text: 'c', oldNo: 3, newNo: 3 },
      { kind: 'added', text: 'd', newNo: 4 },
    ]);
    expect(diffStats(lines)).toEqual({ added: 2, removed: 1 });
  });

  it('does not mark the last line changed when a line is added after it', () => {
    expect(lineDiff('## 步骤\n1. 打开前盖', '## 步骤\r\n1. 打开前盖\n2. 取出纸张')).toEqual([
      { kind: 'same', text: '## 步骤', oldNo: 1, newNo: 1 },
      { kind: 'same', text: '1. 打开前盖', oldNo: 2, newNo: 2 },
      { kind: 'added', text: '2. 取出纸张', newNo: 3 },
    ]);
  });
});
