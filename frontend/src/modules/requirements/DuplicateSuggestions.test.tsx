import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useState } from 'react';
import { act, renderHook, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { json, renderWithApp } from '../../test/render';
import { DuplicateSuggestions, SUGGEST_DEBOUNCE_MS } from './DuplicateSuggestions';
import { stubApi } from './fixtures.test-utils';
import { useDebounced } from '../../ui/useDebounced';

/** A title input with the suggestions under it, as on the create form. */
function Typing() {
  const [title, setTitle] = useState('');
  return (
    <>
      <input data-testid="typing" value={title} onChange={(e) => setTitle(e.target.value)} />
      <DuplicateSuggestions title={title} />
    </>
  );
}

beforeEach(async () => {
  await i18n.changeLanguage('en');
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('duplicate suggestions while typing a title', { timeout: 30_000 }, () => {
  it('useDebounced gives the value only once it rests', () => {
    vi.useFakeTimers();
    const { result, rerender } = renderHook(({ v }) => useDebounced(v, 400), { initialProps: { v: 'a' } });
    rerender({ v: 'ab' });
    act(() => void vi.advanceTimersByTime(300));
    rerender({ v: 'abc' });
    act(() => void vi.advanceTimersByTime(300));
    expect(result.current).toBe('a');
    act(() => void vi.advanceTimersByTime(100));
    expect(result.current).toBe('abc');
  });

  it('asks the server once, for the title typed last, and lists what it found', async () => {
    const asked: string[] = [];
    const fetchMock = stubApi((_req, url) => {
      if (url.pathname !== '/api/v1/requirements/duplicates') return undefined;
      asked.push(url.searchParams.get('title') ?? '');
      return json(200, { data: [{ id: 'r9', number: 'REQ-000009', title: 'Batch export to Excel', status: 'analyzing', requester_count: 2, similarity: 0.72 }] });
    });
    renderWithApp(<Typing />);
    await userEvent.setup().type(screen.getByTestId('typing'), 'Batch export');
    const item = await screen.findByTestId('duplicate-suggestion', {}, { timeout: SUGGEST_DEBOUNCE_MS + 2000 });
    expect(item).toHaveTextContent('REQ-000009');
    expect(item).toHaveTextContent('72% alike');
    expect(asked).toEqual(['Batch export']);
    expect(fetchMock).toHaveBeenCalled();
  });

  it('stays quiet for one character and when nothing is alike', async () => {
    const asked: string[] = [];
    stubApi((_req, url) => {
      if (url.pathname !== '/api/v1/requirements/duplicates') return undefined;
      asked.push(url.searchParams.get('title') ?? '');
      return json(200, { data: [] });
    });
    renderWithApp(<Typing />);
    const user = userEvent.setup();
    await user.type(screen.getByTestId('typing'), 'B');
    await new Promise((r) => setTimeout(r, SUGGEST_DEBOUNCE_MS + 100));
    expect(asked).toEqual([]);
    await user.type(screen.getByTestId('typing'), 'ut nothing like it');
    await new Promise((r) => setTimeout(r, SUGGEST_DEBOUNCE_MS + 300));
    expect(asked).toEqual(['But nothing like it']);
    expect(screen.queryByTestId('duplicate-suggestions')).toBeNull();
  });
});
