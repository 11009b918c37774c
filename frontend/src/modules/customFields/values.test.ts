import { describe, expect, it } from 'vitest';
import dayjs from 'dayjs';
import type { CustomField } from '../../api/types';
import { field } from './fixtures.test-utils';
import {
  customFieldsForCreate, customFieldsPatch, customFieldsToForm, reapplyCustomFields, shownFields, toFormValue, toWireValue,
} from './values';
import { valueText } from './CustomFieldValues';

const region = field('region', 'select', {
  options: [
    { value: 'north', label_zh: '华北', label_en: 'North', retired: false },
    { value: 'south', label_zh: '华南', label_en: 'South', retired: false },
    { value: 'old', label_zh: '旧区', label_en: 'Old', retired: true },
  ],
});
const fields: CustomField[] = [
  field('note', 'text'),
  field('employees', 'number'),
  field('budget', 'money'),
  field('signed_on', 'date'),
  field('vip', 'bool'),
  region,
  { ...field('channels', 'multiselect'), options: region.options },
  field('manager', 'user'),
  field('legacy', 'text', { retired: true }),
];

describe('custom field values', () => {
  it('convert each type between what records store and what the inputs hold', () => {
    expect(toFormValue('money', 1234567)).toEqual({ amount_minor: 1234567, currency: 'CNY' });
    expect(toWireValue('money', { amount_minor: 1234567, currency: 'CNY' })).toBe(1234567);
    expect(toWireValue('money', null)).toBeNull();
    const day = toFormValue('date', '2026-03-05');
    expect(dayjs.isDayjs(day)).toBe(true);
    expect(toWireValue('date', day)).toBe('2026-03-05');
    expect(toWireValue('text', '  hello ')).toBe('hello');
    expect(toWireValue('text', '   ')).toBeNull();
    expect(toWireValue('number', 12.5)).toBe(12.5);
    expect(toWireValue('bool', false)).toBe(false);
    expect(toWireValue('multiselect', [])).toBeNull();
    expect(toWireValue('multiselect', ['north'])).toEqual(['north']);
    expect(toWireValue('select', 'south')).toBe('south');
    expect(toWireValue('user', 'u-1')).toBe('u-1');
    // a stored value of another type is not shown as if it were one
    expect(toFormValue('number', 'x')).toBeUndefined();
    expect(toFormValue('date', 42)).toBeUndefined();
  });

  it('fill a new form with the defaults and an edit form with the record; retired fields stay out of the form', () => {
    const withDefaults = [field('level', 'select', { options: region.options, default_value: 'north' as never }), field('ok', 'bool', { required: true })];
    expect(customFieldsToForm(withDefaults, null)).toEqual({ level: 'north', ok: false });
    const form = customFieldsToForm(fields, { note: 'n', budget: 500, legacy: 'kept' });
    expect(form).toEqual({ note: 'n', budget: { amount_minor: 500, currency: 'CNY' } });
  });

  it('send the values given on create, and null for a default the person emptied', () => {
    const withDefault = [field('level', 'select', { options: region.options, default_value: 'north' as never }), field('note', 'text')];
    expect(customFieldsForCreate(withDefault, { level: 'south', note: ' x ' })).toEqual({ level: 'south', note: 'x' });
    expect(customFieldsForCreate(withDefault, { level: undefined, note: '' })).toEqual({ level: null });
  });

  it('patch only the changed keys on edit, a cleared one as null, never a retired one', () => {
    const stored = { note: 'old', budget: 1000, signed_on: '2026-01-02', vip: true, region: 'north', channels: ['north'], legacy: 'kept', unknown: 1 };
    const form = customFieldsToForm(fields, stored);
    expect(customFieldsPatch(fields, stored, form)).toEqual({});
    const changed = {
      ...form,
      note: '',
      budget: { amount_minor: 123456, currency: 'CNY' },
      signed_on: dayjs('2026-02-03'),
      vip: false,
      channels: ['north', 'south'],
      manager: 'u-9',
      legacy: 'changed',
    };
    expect(customFieldsPatch(fields, stored, changed)).toEqual({
      note: null, budget: 123456, signed_on: '2026-02-03', vip: false, channels: ['north', 'south'], manager: 'u-9',
    });
  });

  it('put back only the keys the person changed after a 412', () => {
    const latest = { name: 'x', custom_fields: { note: 'theirs', region: 'south' } };
    const mine = { name: 'x', custom_fields: { note: 'mine', region: 'north' } };
    expect(reapplyCustomFields(latest, mine, { custom_fields: { note: 'mine' } })).toEqual({ name: 'x', custom_fields: { note: 'mine', region: 'south' } });
  });

  it('list the fields in use and the retired ones holding a value', () => {
    expect(shownFields(fields, {}).map((f) => f.key)).not.toContain('legacy');
    expect(shownFields(fields, { legacy: 'kept' }).map((f) => f.key)).toContain('legacy');
  });

  it('read in the language shown', () => {
    const yesNo = { yes: '是', no: '否' };
    expect(valueText(region, 'north', 'zh-CN', yesNo)).toBe('华北');
    expect(valueText(region, 'north', 'en', yesNo)).toBe('North');
    expect(valueText({ field_type: 'multiselect', options: region.options }, ['north', 'old'], 'zh-CN', yesNo)).toBe('华北、旧区');
    expect(valueText({ field_type: 'money', options: [] }, 1234567, 'zh-CN', yesNo)).toBe('¥12,345.67');
    expect(valueText({ field_type: 'bool', options: [] }, false, 'zh-CN', yesNo)).toBe('否');
    expect(valueText({ field_type: 'date', options: [] }, '2026-03-05', 'zh-CN', yesNo)).toBe('2026年3月5日');
    expect(valueText({ field_type: 'text', options: [] }, '', 'en', yesNo)).toBeNull();
  });
});
