import { describe, expect, it } from 'vitest';
import { revisionRows } from './revisions';

describe('requirement revisions', () => {
  it('show a change as old → new, and an empty value as a dash', () => {
    expect(revisionRows({ status: { old: 'collected', new: 'analyzing' }, release: { old: null, new: 'v2.1' } })).toEqual([
      { field: 'status', kind: 'change', old: 'collected', new: 'analyzing' },
      { field: 'release', kind: 'change', old: '—', new: 'v2.1' },
    ]);
  });

  it('show the created requirement field by field, not the stored record', () => {
    const created = {
      id: '01a2', number: 'REQ-000001', title: '按区域导出客户清单', category: 'functional', source_channel: 'feedback', status: 'collected',
      importance: 3, urgency: 3, effort: 3, department: null, target_date: null, release: null, tags: [], description: null,
      created_by: '01a3', owner_id: null, duplicate_of_id: null, delivered_at: null,
    };
    expect(revisionRows({ created })).toEqual([
      {
        field: 'created',
        kind: 'created',
        fields: [
          { field: 'title', value: '按区域导出客户清单' },
          { field: 'category', value: 'functional' },
          { field: 'source_channel', value: 'feedback' },
          { field: 'status', value: 'collected' },
          { field: 'importance', value: '3' },
          { field: 'urgency', value: '3' },
          { field: 'effort', value: '3' },
        ],
      },
    ]);
  });

  it('name the other side of a merge by its number', () => {
    expect(revisionRows({ merged_into: { id: '01a4', number: 'REQ-000007' }, moved_requesters: 2 })).toEqual([
      { field: 'merged_into', kind: 'value', new: 'REQ-000007' },
      { field: 'moved_requesters', kind: 'value', new: '2' },
    ]);
  });
});
