import type { Import } from './useImports';

/** An uploaded import, for the tests. */
export const baseImport: Import = {
  id: 'i1', entity: 'customers', file_name: '客户.xlsx', format: 'xlsx', encoding: null, delimiter: null,
  headers: ['客户名称', '手机', '外部编号', '备注'],
  sample: [['上海甲公司', '13912345678', 'C-1', ''], ['北京乙公司', '13800000000', 'C-2', '老客户']],
  rows_total: 4, mapping: ['name', 'phone', null, null], duplicate_handling: 'skip', match_keys: ['phone', 'name_city'],
  external_system: null, status: 'uploaded', rows_done: 0, rows_per_second: 0, created: 0, updated: 0, skipped: 0, failed: 0,
  reverted: 0, kept: 0, checked: null, error_code: null, cancel_requested: false, created_by: 'u1', started_at: null, finished_at: null,
  created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 1,
};
