import { describe, expect, it } from 'vitest';
import i18n from '../../../i18n';
import en from '../../../i18n/en.json';
import zhCN from '../../../i18n/zh-CN.json';
import type { Customer } from '../../../api/types';
import { MOVED_KINDS, builtInFields, comparedFields, defaultSide, differs, movedTotal, ofKind } from './fields';

const base: Customer = {
  id: 'c1', kind: 'individual', name: '张伟', industry: null, size_band: null, province: null, city: null, district: null,
  address: null, phone: null, email: null, website: null, credit_code: null, source_channel: null, lifecycle_stage: 'prospect',
  value_tier: null, tags: [], custom_fields: {}, gender: null, birthday: null, preferences: null, notes: null,
  id_type: null, id_number: null, bank_name: null, bank_account: null,
  owner_id: 'u1', owner_name: 'Owner', team_id: null, team_name: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  version: 1, order_count: 0, total_spend_minor: 0, external_ids: {}, masked: [],
};
const field = (key: string) => builtInFields(i18n.t, 'en').find((f) => f.key === key)!;

describe('the fields a merge compares', () => {
  it('are the ones the server lets a merge choose', () => {
    expect(builtInFields(i18n.t, 'en').map((f) => f.key)).toEqual([
      'name', 'industry', 'size_band', 'province', 'city', 'district', 'address', 'phone', 'email', 'website', 'credit_code',
      'source_channel', 'lifecycle_stage', 'value_tier', 'gender', 'birthday', 'preferences', 'notes', 'id_number', 'bank_account', 'owner',
    ]);
  });

  it("default to the survivor's value, or the other's where the survivor has none", () => {
    expect(defaultSide(field('city'), { ...base, city: '上海市' })).toBe('survivor');
    expect(defaultSide(field('city'), { ...base, city: '  ' })).toBe('other');
    // a document number goes with its type: the number decides whether there is one
    expect(defaultSide(field('id_number'), { ...base, id_type: 'passport', id_number: null })).toBe('other');
    // a masked birthday comes as null but is there
    expect(defaultSide(field('birthday'), { ...base, masked: ['birthday'] })).toBe('survivor');
  });

  it('differ by every part of a value that moves with another', () => {
    const a = { ...base, bank_name: '招商银行', bank_account: '6222' };
    expect(differs(field('bank_account'), a, { ...a, bank_name: '工商银行' })).toBe(true);
    expect(differs(field('bank_account'), a, { ...a })).toBe(false);
    expect(differs(field('owner'), base, { ...base, team_id: 't1', team_name: 'East' })).toBe(true);
  });

  it('offer a masked value whenever one of the records has one, since it cannot be compared', () => {
    const a = { ...base, phone: '138****5678', masked: ['phone'] };
    expect(differs(field('phone'), a, { ...a })).toBe(true);
    expect(differs(field('phone'), base, { ...base })).toBe(false);
  });

  it('include custom fields of either record, labelled in the UI language or by key', () => {
    const a = { ...base, custom_fields: { level: 'gold' } as unknown as Customer['custom_fields'] };
    const b = { ...base, custom_fields: { level: 'gold', extra: true } as unknown as Customer['custom_fields'] };
    const defs = [{ key: 'extra', label_zh: '附加', label_en: 'Extra', field_type: 'bool', options: [] }] as never[];
    const fields = comparedFields(a, b, defs, i18n.t, 'zh-CN');
    expect(fields.map((f) => [f.key, f.label])).toEqual([['custom_fields.extra', '附加']]);
    expect(comparedFields(a, b, undefined, i18n.t, 'en').map((f) => f.label)).toEqual(['extra']);
  });

  it('count the records moved, not the timeline entries that stand for them', () => {
    expect(movedTotal({ contacts: 2, orders: 1, timeline_items: 7 })).toBe(3);
  });

  it('name every kind of moved record in both languages', () => {
    for (const lang of [en, zhCN]) {
      const moved = (lang as { customerMerge: { moved: Record<string, string> } }).customerMerge.moved;
      for (const kind of MOVED_KINDS) expect(moved[kind], kind).toBeTruthy();
    }
  });
});

describe('the survivor as the preview shows it', () => {
  it("leaves out the fields its kind has not", () => {
    const keys = (kind: Customer['kind']) => builtInFields(i18n.t, 'en').filter((f) => ofKind(f, kind)).map((f) => f.key);
    expect(keys('company')).not.toContain('birthday');
    expect(keys('company')).toContain('credit_code');
    expect(keys('individual')).toContain('id_number');
    expect(keys('individual')).not.toContain('credit_code');
  });
});
