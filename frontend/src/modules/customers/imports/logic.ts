/**
 * The import wizard's rules, apart from the components: which step an import is at, what its
 * progress reads, what a mapping draft sends, which required fields no column fills.
 */
import type { components } from '../../../api/generated/schema';

type Import = components['schemas']['ImportDto'];
type ImportField = components['schemas']['ImportField'];
type ImportStatus = components['schemas']['ImportStatus'];
type DuplicateHandling = components['schemas']['DuplicateHandling'];
type MatchKey = components['schemas']['MatchKey'];
type UpdateImport = components['schemas']['UpdateImport'];

export type ImportPhase = 'check' | 'run';

export const IMPORT_STEPS = ['file', 'mapping', 'check', 'run'] as const;
export type ImportStep = (typeof IMPORT_STEPS)[number];

export const IMPORT_STATUSES: readonly ImportStatus[] = [
  'uploaded', 'checking', 'checked', 'running', 'completed', 'cancelled', 'failed', 'reverting', 'reverted',
];
export const DUPLICATE_HANDLINGS: readonly DuplicateHandling[] = ['skip', 'update', 'create'];
export const MATCH_KEYS: readonly MatchKey[] = ['external_id', 'credit_code', 'phone', 'email', 'name_city'];
export const ROW_ACTIONS = ['created', 'updated', 'skipped', 'failed'] as const;
export const REVERT_OUTCOMES = ['reverted', 'changed_since', 'gone'] as const;

/** What the file picker offers; the server reads CSV (any delimiter, UTF-8 or GBK) and XLSX. */
export const ACCEPTED_FILES = '.csv,.xlsx,.xls,.txt,.tsv';

/** Whether the import's background work (dry run, run, revert) is under way. */
export function isBusy(status: ImportStatus): boolean {
  return status === 'checking' || status === 'running' || status === 'reverting';
}

/** Whether the mapping and duplicate handling can still change (before the run). */
export function isSettable(status: ImportStatus): boolean {
  return status === 'uploaded' || status === 'checked';
}

/** Whether the run has written (or is writing, or has undone) records: the wizard's last step. */
export function hasRun(status: ImportStatus): boolean {
  return status === 'running' || status === 'completed' || status === 'cancelled' || status === 'failed' || status === 'reverting' || status === 'reverted';
}

/** The step an import reopens at: the mapping until a dry run starts, then the dry run, then the run. */
export function stepOf(imp: Pick<Import, 'status'> | undefined): ImportStep {
  if (!imp) return 'file';
  if (imp.status === 'uploaded') return 'mapping';
  if (imp.status === 'checking' || imp.status === 'checked') return 'check';
  return 'run';
}

/** The status tag's colour. */
export function statusColor(status: ImportStatus): string {
  switch (status) {
    case 'completed':
      return 'success';
    case 'checked':
      return 'cyan';
    case 'checking':
    case 'running':
    case 'reverting':
      return 'processing';
    case 'failed':
      return 'error';
    case 'cancelled':
    case 'reverted':
      return 'warning';
    default:
      return 'default';
  }
}

/** The share of rows done, 0–100 (a revert counts the records it undid or left alone). */
export function progressPercent(imp: Pick<Import, 'status' | 'rows_done' | 'rows_total' | 'reverted' | 'kept' | 'created' | 'updated'>): number {
  if (imp.status === 'reverting' || imp.status === 'reverted') {
    const todo = imp.created + imp.updated;
    if (todo <= 0) return 100;
    return Math.min(100, Math.floor(((imp.reverted + imp.kept) * 100) / todo));
  }
  if (imp.rows_total <= 0) return 100;
  return Math.min(100, Math.floor((imp.rows_done * 100) / imp.rows_total));
}

/** The dry run's counts, when the import has some. */
export interface Counts {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export function checkedCounts(imp: Pick<Import, 'checked'>): Counts | null {
  const c = imp.checked as Partial<Record<keyof Counts, unknown>> | null | undefined;
  if (!c || typeof c !== 'object') return null;
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  return { created: n(c.created), updated: n(c.updated), skipped: n(c.skipped), failed: n(c.failed) };
}

/** The mapping step's values, as the user edits them. */
export interface MappingDraft {
  mapping: (string | null)[];
  duplicate_handling: DuplicateHandling;
  match_keys: MatchKey[];
  external_system: string;
}

export function draftOf(imp: Pick<Import, 'mapping' | 'duplicate_handling' | 'match_keys' | 'external_system' | 'headers'>): MappingDraft {
  return {
    mapping: imp.headers.map((_, i) => imp.mapping[i] ?? null),
    duplicate_handling: imp.duplicate_handling,
    match_keys: [...imp.match_keys],
    external_system: imp.external_system ?? '',
  };
}

/** Whether a column fills the external id (which then needs its system). */
export function mapsExternalId(draft: Pick<MappingDraft, 'mapping'>): boolean {
  return draft.mapping.includes('external_id');
}

/** The PATCH body: every column's field (in column order, so `mapping[i]` is column i), and the settings. */
export function settingsOf(draft: MappingDraft): UpdateImport {
  const system = draft.external_system.trim();
  return {
    mapping: draft.mapping.map((field, column) => ({ column, field })),
    duplicate_handling: draft.duplicate_handling,
    match_keys: draft.match_keys,
    external_system: mapsExternalId(draft) && system ? system : null,
  };
}

/** Whether the draft differs from what the server has. */
export function draftChanged(draft: MappingDraft, imp: Parameters<typeof draftOf>[0]): boolean {
  return JSON.stringify(settingsOf(draft)) !== JSON.stringify(settingsOf(draftOf(imp)));
}

/**
 * The required fields no column fills. An import that updates what it matches may leave them out
 * (its rows that match nothing fail one by one), as the server says.
 */
export function missingRequired(fields: readonly ImportField[], draft: Pick<MappingDraft, 'mapping' | 'duplicate_handling'>): ImportField[] {
  if (draft.duplicate_handling === 'update') return [];
  return fields.filter((f) => f.required && !draft.mapping.includes(f.key));
}

/** The fields mapped from more than one column. */
export function mappedTwice(mapping: readonly (string | null)[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const f of mapping) {
    if (f === null) continue;
    if (seen.has(f)) twice.add(f);
    seen.add(f);
  }
  return [...twice];
}

/** A field's label in the UI's language. */
export function importFieldLabel(field: Pick<ImportField, 'label_zh' | 'label_en'>, lang: string): string {
  return lang.startsWith('zh') ? field.label_zh : field.label_en;
}

/**
 * The field a row error names (`name`, `custom_fields.budget`, `owner_email`) as the user knows
 * it: the import field's label (custom fields are `cf.<key>` there); `row` is the whole row.
 */
export function errorFieldKey(field: string): string {
  return field.startsWith('custom_fields.') ? `cf.${field.slice('custom_fields.'.length)}` : field;
}

/** The column of a `mapping[i]` field error, when it names one. */
export function mappingErrorColumn(field: string): number | null {
  const m = /^mapping\[(\d+)\]$/.exec(field);
  return m ? Number(m[1]) : null;
}
