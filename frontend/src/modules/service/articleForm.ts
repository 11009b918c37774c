import { mergePatch } from '../../ui/mergePatch';
import type { Article, ArticleStatus, ArticleVisibility, CreateArticle, UpdateArticle } from '../../api/types';

/** The article editor's fields. */
export interface ArticleFormValues {
  title: string;
  body: string;
  category_id?: string | null;
  visibility: ArticleVisibility;
  status: ArticleStatus;
  tags: string[];
  /** What changed and why, kept with the new revision (edits only). */
  note?: string;
}

/** Fields the server may name in a problem's `errors[]`. */
export const ARTICLE_FIELDS = ['title', 'body', 'category_id', 'visibility', 'status', 'tags', 'note'] as const;
const EDITABLE = ['title', 'body', 'category_id', 'visibility', 'status', 'tags'] as const;

export function newArticleValues(categoryId?: string): ArticleFormValues {
  return { title: '', body: '', category_id: categoryId ?? null, visibility: 'internal', status: 'draft', tags: [] };
}

export function articleToForm(a: Article): ArticleFormValues {
  return { title: a.title, body: a.body, category_id: a.category_id ?? null, visibility: a.visibility, status: a.status, tags: [...a.tags], note: '' };
}

function cleanTags(tags: readonly string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((x) => x.trim()).filter(Boolean))];
}

/** The form as the API takes it: trimmed title, de-duplicated tags, no category as null. */
function normalise(v: ArticleFormValues) {
  return {
    title: v.title.trim(),
    body: v.body,
    category_id: v.category_id || null,
    visibility: v.visibility,
    status: v.status,
    tags: cleanTags(v.tags),
  };
}

export function toCreateArticle(v: ArticleFormValues): CreateArticle {
  return normalise(v);
}

/**
 * Only what the user changed, compared with the version they started from, plus their note when
 * something changed (a note alone makes no revision). An empty object means nothing to save.
 */
export function toArticlePatch(base: Article, v: ArticleFormValues): UpdateArticle {
  const editable = (a: ReturnType<typeof normalise>) => Object.fromEntries(EDITABLE.map((key) => [key, a[key]]));
  const patch: Record<string, unknown> = mergePatch(editable(normalise(articleToForm(base))), editable(normalise(v)));
  const note = v.note?.trim();
  if (Object.keys(patch).length > 0 && note) patch.note = note;
  return patch as UpdateArticle;
}

/**
 * After a 412: the latest version with the user's own changes (against the version they started
 * from) put back on top, so they can review and save again.
 */
export function reapplyArticle(base: Article, latest: Article, mine: ArticleFormValues): ArticleFormValues {
  const changed = toArticlePatch(base, { ...mine, note: '' });
  const out: ArticleFormValues = { ...articleToForm(latest), note: mine.note };
  for (const key of EDITABLE) {
    if (key in changed) (out as unknown as Record<string, unknown>)[key] = mine[key];
  }
  return out;
}
