/**
 * One line of a revision: a field changed from old to new, a value recorded (a merge), or the
 * requirement as it was created, field by field.
 */
export type RevisionRow =
  | { field: string; kind: 'change'; old: string; new: string }
  | { field: string; kind: 'value'; new: string }
  | { field: 'created'; kind: 'created'; fields: { field: string; value: string }[] };

/**
 * The fields of a new requirement worth reading in its first revision, in the form's order; its ids,
 * number, dates and the people behind them are on the page already.
 */
const CREATED_FIELDS = ['title', 'category', 'source_channel', 'status', 'importance', 'urgency', 'effort', 'department', 'target_date', 'release', 'tags', 'description'];

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length === 0 ? '—' : v.map(show).join(', ');
  // a merge names the other requirement by its id and number: the number is what a person reads
  if (isRecord(v) && typeof v.number === 'string') return v.number;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isChange(v: unknown): v is { old?: unknown; new?: unknown } {
  return isRecord(v) && ('old' in v || 'new' in v);
}

/** A revision's `changes` (`{field: {old, new}}`, or what creation or a merge recorded) as rows to show. */
export function revisionRows(changes: Record<string, unknown> | null | undefined): RevisionRow[] {
  if (!changes) return [];
  return Object.entries(changes).map(([field, v]): RevisionRow => {
    if (isChange(v)) return { field, kind: 'change', old: show(v.old), new: show(v.new) };
    if (field === 'created' && isRecord(v)) {
      const fields = CREATED_FIELDS.filter((f) => show(v[f]) !== '—').map((f) => ({ field: f, value: show(v[f]) }));
      return { field: 'created', kind: 'created', fields };
    }
    return { field, kind: 'value', new: show(v) };
  });
}
