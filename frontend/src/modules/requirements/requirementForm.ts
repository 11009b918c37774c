import dayjs, { type Dayjs } from 'dayjs';
import { mergePatch, textOrNull } from '../../ui/mergePatch';
import type { CreateRequirement, Requirement, RequirementCategory, RequirementOrigin, RequirementSource, UpdateRequirement } from '../../api/types';

/** What the form holds: the API's writable fields, the target date as dayjs. */
export interface RequirementFormValues {
  title: string;
  description?: string | null;
  category: RequirementCategory;
  source_channel: RequirementSource;
  importance: number;
  urgency: number;
  effort: number;
  owner_id?: string | null;
  department?: string | null;
  target_date?: Dayjs | null;
  release?: string | null;
  tags?: string[];
  /** Create only: the requester's own words. */
  note?: string | null;
  /** Create only: the customer who asked, when not from a ticket or interaction. */
  customer_id?: string | null;
}

export const REQUIREMENT_FIELDS = [
  'title', 'description', 'category', 'source_channel', 'importance', 'urgency', 'effort', 'owner_id', 'department', 'target_date',
  'release', 'tags', 'note', 'customer_id',
] as const;

export function requirementToForm(r: Requirement): RequirementFormValues {
  return {
    title: r.title,
    description: r.description ?? null,
    category: r.category,
    source_channel: r.source_channel,
    importance: r.importance,
    urgency: r.urgency,
    effort: r.effort,
    owner_id: r.owner_id ?? null,
    department: r.department ?? null,
    target_date: r.target_date ? dayjs(r.target_date) : null,
    release: r.release ?? null,
    tags: r.tags,
  };
}

/** The create body: `origin` from the page it was started on (customer, ticket or interaction) or the picked customer. */
export function toCreateRequirement(v: RequirementFormValues, origin: RequirementOrigin | null): CreateRequirement {
  const from: RequirementOrigin | null = origin ?? (v.customer_id ? { customer_id: v.customer_id } : null);
  const body: CreateRequirement = {
    title: v.title.trim(),
    category: v.category,
    source_channel: v.source_channel,
    importance: v.importance,
    urgency: v.urgency,
    effort: v.effort,
    tags: (v.tags ?? []).map((t) => t.trim()).filter(Boolean),
  };
  const description = textOrNull(v.description);
  if (description) body.description = description;
  if (v.owner_id) body.owner_id = v.owner_id;
  const department = textOrNull(v.department);
  if (department) body.department = department;
  if (v.target_date) body.target_date = v.target_date.format('YYYY-MM-DD');
  const release = textOrNull(v.release);
  if (release) body.release = release;
  const note = textOrNull(v.note);
  if (note) body.note = note;
  if (from) body.origin = from;
  return body;
}

/** Only the fields that differ from `base`; cleared text and choices are sent as null. */
export function toRequirementPatch(base: Requirement, v: RequirementFormValues): UpdateRequirement {
  const next = {
    title: v.title.trim(),
    description: textOrNull(v.description),
    category: v.category,
    source_channel: v.source_channel,
    importance: v.importance,
    urgency: v.urgency,
    effort: v.effort,
    owner_id: v.owner_id ?? null,
    department: textOrNull(v.department),
    target_date: v.target_date ? v.target_date.format('YYYY-MM-DD') : null,
    release: textOrNull(v.release),
    tags: (v.tags ?? []).map((t) => t.trim()).filter(Boolean),
  };
  return mergePatch(base as unknown as Record<string, unknown>, next) as UpdateRequirement;
}
