import { describe, expect, it } from 'vitest';
import en from '../../../i18n/en.json';
import zhCN from '../../../i18n/zh-CN.json';
import {
  DUPLICATE_HANDLINGS, IMPORT_STATUSES, IMPORT_STEPS, MATCH_KEYS, REVERT_OUTCOMES, ROW_ACTIONS, checkedCounts, draftChanged, draftOf, errorFieldKey,
  hasRun, importFieldLabel, isBusy, isSettable, mappedTwice, mappingErrorColumn, missingRequired, progressPercent, settingsOf, stepOf,
} from './logic';
import { baseImport } from './testImport';
import type { Import } from './useImports';


const fields = [
  { key: 'name', label_zh: '客户名称', label_en: 'Name', required: true },
  { key: 'phone', label_zh: '电话', label_en: 'Phone', required: false },
  { key: 'cf.budget', label_zh: '预算', label_en: 'Budget', required: true },
];

describe('the wizard step of an import', () => {
  it('follows the status: file, mapping, dry run, run', () => {
    expect(stepOf(undefined)).toBe('file');
    expect(stepOf({ status: 'uploaded' })).toBe('mapping');
    expect(stepOf({ status: 'checking' })).toBe('check');
    expect(stepOf({ status: 'checked' })).toBe('check');
    for (const status of ['running', 'completed', 'cancelled', 'failed', 'reverting', 'reverted'] as const) {
      expect(stepOf({ status }), status).toBe('run');
      expect(hasRun(status)).toBe(true);
    }
  });
  it('is busy (and polled) only while background work runs', () => {
    expect(IMPORT_STATUSES.filter(isBusy)).toEqual(['checking', 'running', 'reverting']);
    expect(IMPORT_STATUSES.filter(isSettable)).toEqual(['uploaded', 'checked']);
  });
});

describe('progress', () => {
  it('is the share of rows done, or of records a revert has dealt with', () => {
    expect(progressPercent({ ...baseImport, status: 'running', rows_done: 1, rows_total: 3 })).toBe(33);
    expect(progressPercent({ ...baseImport, status: 'running', rows_done: 0, rows_total: 0 })).toBe(100);
    expect(progressPercent({ ...baseImport, status: 'reverting', created: 3, updated: 1, reverted: 1, kept: 1 })).toBe(50);
    expect(progressPercent({ ...baseImport, status: 'reverted', created: 0, updated: 0 })).toBe(100);
  });
  it("reads the dry run's counts", () => {
    expect(checkedCounts(baseImport)).toBeNull();
    expect(checkedCounts({ checked: { created: 3, updated: 0, skipped: 1, failed: 1 } as unknown as Import['checked'] })).toEqual({ created: 3, updated: 0, skipped: 1, failed: 1 });
  });
});

describe('the mapping draft', () => {
  it('sends every column in order, and the external system only when a column maps the external id', () => {
    const draft = { ...draftOf(baseImport), external_system: ' erp ' };
    expect(settingsOf(draft)).toEqual({
      mapping: [{ column: 0, field: 'name' }, { column: 1, field: 'phone' }, { column: 2, field: null }, { column: 3, field: null }],
      duplicate_handling: 'skip',
      match_keys: ['phone', 'name_city'],
      external_system: null,
    });
    const mapped = { ...draft, mapping: ['name', 'phone', 'external_id', null] };
    expect(settingsOf(mapped).external_system).toBe('erp');
    expect(draftChanged(draftOf(baseImport), baseImport)).toBe(false);
    expect(draftChanged(mapped, baseImport)).toBe(true);
  });
  it('pads a mapping shorter than the headers', () => {
    expect(draftOf({ ...baseImport, mapping: ['name'] }).mapping).toEqual(['name', null, null, null]);
  });
  it('tells the required fields no column fills, except when updating', () => {
    const draft = draftOf(baseImport);
    expect(missingRequired(fields, draft).map((f) => f.key)).toEqual(['cf.budget']);
    expect(missingRequired(fields, { ...draft, mapping: [null, 'phone'] }).map((f) => f.key)).toEqual(['name', 'cf.budget']);
    expect(missingRequired(fields, { ...draft, mapping: [null], duplicate_handling: 'update' })).toEqual([]);
  });
  it('finds fields mapped twice', () => {
    expect(mappedTwice(['name', 'city', null, 'city', null])).toEqual(['city']);
    expect(mappedTwice(['name', null, null])).toEqual([]);
  });
});

describe('errors', () => {
  it('name the field as the mapping knows it', () => {
    expect(errorFieldKey('custom_fields.budget')).toBe('cf.budget');
    expect(errorFieldKey('owner_email')).toBe('owner_email');
    expect(mappingErrorColumn('mapping[3]')).toBe(3);
    expect(mappingErrorColumn('mapping')).toBeNull();
  });
  it('labels fields in the UI language', () => {
    expect(importFieldLabel(fields[0]!, 'zh-CN')).toBe('客户名称');
    expect(importFieldLabel(fields[0]!, 'en')).toBe('Name');
  });
});

type Tree = { [k: string]: string | Tree };
const lookup = (tree: Tree, key: string): unknown => key.split('.').reduce<unknown>((node, k) => (node as Tree | undefined)?.[k], tree);

describe('translations', () => {
  it('label every step, status, duplicate handling, match key, row action and revert outcome in both languages', () => {
    const keys = [
      ...IMPORT_STEPS.map((s) => `customerImport.steps.${s}`),
      ...IMPORT_STATUSES.map((s) => `customerImport.status.${s}`),
      ...DUPLICATE_HANDLINGS.flatMap((h) => [`customerImport.duplicates.${h}`, `customerImport.duplicatesHelp.${h}`]),
      ...MATCH_KEYS.map((k) => `customerImport.matchKey.${k}`),
      ...ROW_ACTIONS.flatMap((a) => [`customerImport.rowAction.${a}`, `customerImport.willBe.${a}`, `customerImport.were.${a}`]),
      ...REVERT_OUTCOMES.map((o) => `customerImport.revertOutcome.${o}`),
      ...['empty_file', 'no_headers', 'unreadable_csv', 'unreadable_workbook', 'wrong_state'].map((c) => `problem.import.${c}`),
    ];
    for (const [lng, tree] of [['en', en], ['zh-CN', zhCN]] as const) {
      expect(keys.filter((k) => typeof lookup(tree as Tree, k) !== 'string'), lng).toEqual([]);
    }
    // a Chinese user reads Chinese: every sentence of the wizard has a Chinese character
    const zh = lookup(zhCN as Tree, 'customerImport') as Tree;
    const flat = (t: Tree): string[] => Object.values(t).flatMap((v) => (typeof v === 'string' ? [v] : flat(v)));
    expect(flat(zh).filter((s) => !/[\u4e00-\u9fff]/.test(s) && s.replace(/\{\{\w+\}\}/g, '').replace(/[\s（）、(),:：+]/g, '') !== '')).toEqual([]);
  });
});
