/**
 * A list's filters described once — which URL parameters it has and what each may hold — from
 * which come reading them from the URL (unknown or malformed values are dropped rather than
 * sent), writing them back (empty values and defaults left out), the API query, and how many
 * filters are set. Each list's `filters.ts` is its spec and the rules between its fields.
 */

/** One parameter: how its value is read from the URL and written back. */
export interface FilterParam<T, Always extends boolean = boolean> {
  /** The value in a URL parameter, or undefined when the parameter is absent or not valid. */
  read: (raw: string | null) => T | undefined;
  /** The URL text of a value, or undefined to leave the parameter out. */
  write: (value: T) => string | undefined;
  /** The value when the URL has none: a parameter with one always has a value. */
  fallback: Always extends true ? T : undefined;
  /**
   * A setting of the list (its order, its view) rather than a filter: it is not counted among
   * the filters a person set, is left out of the URL at its default and always sent to the API.
   */
  setting: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Free text: trimmed; empty is no filter. */
export function text(): FilterParam<string, false> {
  return { read: (raw) => raw?.trim() || undefined, write: (v) => v.trim() || undefined, fallback: undefined, setting: false };
}

/** Free text with a default, such as `me` for an assignee: a setting, left out of the URL at its default. */
export function textSetting(fallback: string): FilterParam<string, true> {
  return { read: (raw) => raw?.trim() || undefined, write: (v) => (v.trim() === fallback ? undefined : v.trim() || undefined), fallback, setting: true };
}

/** A calendar day, `YYYY-MM-DD`. */
export function day(): FilterParam<string, false> {
  return { read: (raw) => (raw && DAY.test(raw) ? raw : undefined), write: (v) => v || undefined, fallback: undefined, setting: false };
}

function isOneOf<T extends string>(values: readonly T[], v: string | null | undefined): v is T {
  return typeof v === 'string' && (values as readonly string[]).includes(v);
}

/** One of an enumeration's values, or none. */
export function oneOf<T extends string>(values: readonly T[]): FilterParam<T, false> {
  return { read: (raw) => (isOneOf(values, raw) ? raw : undefined), write: (v) => v, fallback: undefined, setting: false };
}

/** Any of an enumeration's values, a comma list in the URL and the API: the enum multi-select's value. */
export function manyOf<T extends string>(values: readonly T[]): FilterParam<T[], true> {
  return {
    read: (raw) => (raw ? [...new Set(raw.split(',').filter((v): v is T => isOneOf(values, v)))] : []),
    write: (v) => (v.length > 0 ? v.join(',') : undefined),
    fallback: [],
    setting: false,
  };
}

/** Yes, no or either (`true`, `false` or absent). */
export function flag(): FilterParam<boolean, false> {
  return { read: (raw) => (raw === 'true' ? true : raw === 'false' ? false : undefined), write: String, fallback: undefined, setting: false };
}

/** A setting with a default, such as the sort order or the view: see {@link FilterParam.setting}. */
export function setting<T extends string>(values: readonly T[], fallback: NoInfer<T>): FilterParam<T, true> {
  return { read: (raw) => (isOneOf(values, raw) ? raw : undefined), write: (v) => (v === fallback ? undefined : v), fallback, setting: true };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a spec mixes parameters of every value type
export type FilterSpec = Record<string, FilterParam<any>>;

type ValueOf<P> = P extends FilterParam<infer T, boolean> ? T : never;
type AlwaysKeys<S> = { [K in keyof S]: S[K] extends FilterParam<infer _T, true> ? K : never }[keyof S];

/** The filters a spec describes: parameters with a fallback always hold a value, the others may be absent. */
export type FiltersOf<S extends FilterSpec> = {
  [K in AlwaysKeys<S>]: ValueOf<S[K]>;
} & {
  [K in Exclude<keyof S, AlwaysKeys<S>>]?: ValueOf<S[K]>;
};

export interface UrlFilters<F> {
  /** Reads the filters from a URL; unknown or malformed values are dropped rather than sent. */
  parse: (search: URLSearchParams) => F;
  /** Writes the filters to a URL query string, leaving out empty values and defaults. */
  toSearch: (filters: F) => URLSearchParams;
  /** The API's query parameters: what the URL holds, and every setting even at its default. */
  toQuery: (filters: F) => Record<string, string>;
  /** How many filters a person set (settings such as the order do not count). */
  activeCount: (filters: F) => number;
  /** No filter set, every setting at its default. */
  empty: () => F;
}

/**
 * The URL side of a list's filters from its spec. `refine` applies the rules between fields after
 * reading, e.g. "a contact filter needs its customer".
 */
export function urlFilters<S extends FilterSpec>(spec: S, refine?: (filters: FiltersOf<S>) => void): UrlFilters<FiltersOf<S>> {
  type F = FiltersOf<S>;
  const keys = Object.keys(spec);
  const at = (f: F, key: string): unknown => (f as Record<string, unknown>)[key];
  const parse = (search: URLSearchParams): F => {
    const f: Record<string, unknown> = {};
    for (const key of keys) {
      const param = spec[key]!;
      const value = param.read(search.get(key)) ?? param.fallback;
      if (value !== undefined) f[key] = value;
    }
    refine?.(f as F);
    return f as F;
  };
  const written = (f: F): [string, string][] =>
    keys.flatMap((key) => {
      const value = at(f, key);
      const raw = value === undefined ? undefined : spec[key]!.write(value);
      return raw === undefined ? [] : [[key, raw] as [string, string]];
    });
  return {
    parse,
    toSearch: (f) => new URLSearchParams(written(f)),
    toQuery: (f) => {
      const query = Object.fromEntries(written(f));
      for (const key of keys) {
        const value = at(f, key);
        if (spec[key]!.setting && typeof value === 'string') query[key] = value;
      }
      return query;
    },
    activeCount: (f) => written(f).filter(([key]) => !spec[key]!.setting).length,
    empty: () => parse(new URLSearchParams()),
  };
}
