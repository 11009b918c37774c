/** One line of a revision: a field changed from old to new, or a value recorded (creation, merge). */
export interface RevisionRow {
  field: string;
  kind: 'change' | 'value';
  old: string;
  new: string;
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length === 0 ? '—' : v.map(show).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function isChange(v: unknown): v is { old?: unknown; new?: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && ('old' in v || 'new' in v);
}

/** A revision's `changes` (`{field: {old, new}}`, or what creation or a merge recorded) as rows to show. */
export function revisionRows(changes: Record<string, unknown> | null | undefined): RevisionRow[] {
  if (!changes) return [];
  return Object.entries(changes).map(([field, v]) =>
    isChange(v) ? { field, kind: 'change' as const, old: show(v.old), new: show(v.new) } : { field, kind: 'value' as const, old: '', new: show(v) },
  );
}
