import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { useUrlFilters } from './useUrlFilters';

type Filters = { view: string; q?: string };
const parse = (p: URLSearchParams): Filters => ({ view: p.get('view') ?? 'mine', q: p.get('q') ?? undefined });
const toSearch = (f: Filters) => {
  const out: Record<string, string> = {};
  if (f.view !== 'mine') out.view = f.view;
  if (f.q) out.q = f.q;
  return out;
};
const wrapper = ({ children }: { children: ReactNode }) => <MemoryRouter initialEntries={['/list?view=unassigned']}>{children}</MemoryRouter>;

describe('useUrlFilters', () => {
  it('keeps both of two changes made before the list renders again (a view switch, then a search)', () => {
    const { result } = renderHook(() => ({ url: useUrlFilters(parse, toSearch), location: useLocation() }), { wrapper });
    expect(result.current.url.filters).toEqual({ view: 'unassigned', q: undefined });
    act(() => {
      result.current.url.update({ view: 'all' });
      result.current.url.update({ q: 'abc' });
    });
    expect(result.current.url.filters).toEqual({ view: 'all', q: 'abc' });
    expect(result.current.location.search).toBe('?view=all&q=abc');
  });

  it('resets every filter', () => {
    const { result } = renderHook(() => useUrlFilters(parse, toSearch), { wrapper });
    act(() => result.current.reset());
    expect(result.current.filters).toEqual({ view: 'mine', q: undefined });
  });

  it('binds a control to one filter: its value, and a change updates only that filter', () => {
    const { result } = renderHook(() => useUrlFilters(parse, toSearch), { wrapper });
    expect(result.current.field('view').value).toBe('unassigned');
    act(() => result.current.field('q').onChange('abc'));
    expect(result.current.filters).toEqual({ view: 'unassigned', q: 'abc' });
    expect(result.current.field('q').value).toBe('abc');
  });

  it('binds a range control to two filters, both changed at once', () => {
    const { result } = renderHook(() => ({ url: useUrlFilters(parse, toSearch), location: useLocation() }), { wrapper });
    expect(result.current.url.dayRange('view', 'q')).toMatchObject({ from: 'unassigned', to: undefined });
    act(() => result.current.url.dayRange('view', 'q').onChange('all', 'abc'));
    expect(result.current.location.search).toBe('?view=all&q=abc');
  });
});
