import { useCallback, useEffect, useMemo, useRef } from 'react';
import { createSearchParams, useSearchParams, type URLSearchParamsInit } from 'react-router';

/**
 * A list's filters, kept in the URL so that a link or a reload shows the same list.
 *
 * `update` merges a patch into the filters the URL will hold — including a change made a moment
 * before that has not rendered yet — rather than into those of the last render: switching a view
 * and searching right after must keep both (react-router's functional update still passes the
 * last render's parameters). `reset` clears every filter. `field` binds a filter control to one
 * filter: `<TextFilter {...field('tag')} … />` shows the filter and updates it; `dayRange` binds a
 * range's two ends the same way: `<DayRangeFilter {...dayRange('due_from', 'due_to')} … />`.
 */
export function useUrlFilters<F>(parse: (params: URLSearchParams) => F, toSearch: (filters: F) => URLSearchParamsInit) {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parse(params), [params, parse]);
  // What the URL holds or is about to hold; every update writes it before navigating.
  const latest = useRef(params);
  useEffect(() => {
    latest.current = params;
  }, [params]);
  const update = useCallback(
    (patch: Partial<F>) => {
      const next = createSearchParams(toSearch({ ...parse(latest.current), ...patch }));
      latest.current = next;
      setParams(next, { replace: true });
    },
    [parse, toSearch, setParams],
  );
  const reset = useCallback(() => {
    latest.current = new URLSearchParams();
    setParams(latest.current, { replace: true });
  }, [setParams]);
  const field = <K extends keyof F>(key: K) => ({
    value: filters[key],
    onChange: (value: F[K]) => update({ [key]: value } as unknown as Partial<F>),
  });
  const dayRange = <A extends keyof F, B extends keyof F>(fromKey: A, toKey: B) => ({
    from: filters[fromKey],
    to: filters[toKey],
    onChange: (from: F[A], to: F[B]) => update({ [fromKey]: from, [toKey]: to } as unknown as Partial<F>),
  });
  return { filters, update, reset, field, dayRange };
}
