import { diffLines } from 'diff';
import type { ArticleRevision } from '../../api/types';

export type DiffLine = { kind: 'same' | 'added' | 'removed'; text: string; oldNo?: number; newNo?: number };

/**
 * A line diff of two texts (jsdiff), with line numbers on both sides, for the revision view. A line
 * that only gained or lost the final newline, or a Windows line end, counts as unchanged.
 */
export function lineDiff(older: string, newer: string): DiffLine[] {
  const out: DiffLine[] = [];
  let oldNo = 1;
  let newNo = 1;
  for (const part of diffLines(older, newer, { ignoreNewlineAtEof: true, stripTrailingCr: true })) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) {
      if (part.added) out.push({ kind: 'added', text, newNo: newNo++ });
      else if (part.removed) out.push({ kind: 'removed', text, oldNo: oldNo++ });
      else out.push({ kind: 'same', text, oldNo: oldNo++, newNo: newNo++ });
    }
  }
  return out;
}

/** Lines added and removed. */
export function diffStats(lines: readonly DiffLine[]): { added: number; removed: number } {
  return { added: lines.filter((l) => l.kind === 'added').length, removed: lines.filter((l) => l.kind === 'removed').length };
}

export type FieldChange = { field: 'title' | 'category_id' | 'visibility' | 'status' | 'tags'; from: string; to: string };

/** What changed besides the body between two revisions (older → newer). */
export function fieldChanges(older: ArticleRevision, newer: ArticleRevision): FieldChange[] {
  const out: FieldChange[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (!same(older.title, newer.title)) out.push({ field: 'title', from: older.title, to: newer.title });
  if (!same(older.category_id, newer.category_id)) out.push({ field: 'category_id', from: older.category_id ?? '', to: newer.category_id ?? '' });
  if (older.visibility !== newer.visibility) out.push({ field: 'visibility', from: older.visibility, to: newer.visibility });
  if (older.status !== newer.status) out.push({ field: 'status', from: older.status, to: newer.status });
  if (!same(older.tags, newer.tags)) out.push({ field: 'tags', from: older.tags.join(', '), to: newer.tags.join(', ') });
  return out;
}
