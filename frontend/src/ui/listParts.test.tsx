import { useState } from 'react';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { tokenStore } from '../api/tokens';
import { adminMe, json, renderWithApp } from '../test/render';
import { CursorTable, TotalBadge, type CursorQuery } from './CursorTable';
import { EnumMultiFilter, FilterBar, OwnerFilter, TextFilter } from './FilterBar';

interface Row {
  id: string;
  name: string;
}

function query(pages: Row[][], more: boolean, fetchNextPage = vi.fn(async () => undefined)): CursorQuery<Row> {
  return {
    data: { pages: pages.map((data, i) => ({ data, total: i === 0 ? 3 : null })), pageParams: pages.map(() => null) },
    hasNextPage: more,
    isFetching: false,
    isFetchingNextPage: false,
    fetchNextPage,
  };
}

afterEach(async () => {
  vi.unstubAllGlobals();
  await act(() => i18n.changeLanguage('zh-CN'));
});

describe('the cursor table', () => {
  it('shows the rows of every loaded page and loads the next one on request', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    const fetchNextPage = vi.fn(async () => undefined);
    render(<CursorTable<Row> query={query([[{ id: '1', name: '甲' }], [{ id: '2', name: '乙' }]], true, fetchNextPage)} columns={[{ key: 'name', dataIndex: 'name' }]} data-testid="t" />);
    expect(screen.getByText('甲')).toBeInTheDocument();
    expect(screen.getByText('乙')).toBeInTheDocument();
    await userEvent.click(screen.getByTestId('load-more'));
    expect(fetchNextPage).toHaveBeenCalledOnce();
    expect(screen.queryByText('没有更多了')).not.toBeInTheDocument();
  });

  it('says there is no more once the last page is in, and nothing under an empty list', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    const view = render(<CursorTable<Row> query={query([[{ id: '1', name: '甲' }]], false)} columns={[{ key: 'name', dataIndex: 'name' }]} />);
    expect(screen.getByText('没有更多了')).toBeInTheDocument();
    expect(screen.queryByTestId('load-more')).not.toBeInTheDocument();
    view.rerender(<CursorTable<Row> query={query([[]], false)} columns={[{ key: 'name', dataIndex: 'name' }]} />);
    expect(screen.queryByText('没有更多了')).not.toBeInTheDocument();
  });

  it('shows the total in the reader\'s number format, and nothing before it is counted', async () => {
    await act(() => i18n.changeLanguage('en'));
    const view = render(<TotalBadge total={12345} data-testid="total" />);
    expect(screen.getByTestId('total')).toHaveTextContent('12,345');
    view.rerender(<TotalBadge total={null} data-testid="total" />);
    expect(screen.queryByTestId('total')).not.toBeInTheDocument();
  });
});

function SearchHarness({ onChange }: { onChange: (q: string | undefined) => void }) {
  const [q, setQ] = useState<string | undefined>('打印机');
  return (
    <FilterBar
      search={{ value: q, onChange: (v) => { setQ(v); onChange(v); }, placeholder: 'search', 'data-testid': 'search' }}
      activeCount={q ? 1 : 0}
      onClear={() => setQ(undefined)}
    />
  );
}

describe('the filter bar', () => {
  it('applies the trimmed search on Enter, and "clear filters" empties the box', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    const onChange = vi.fn();
    render(<SearchHarness onChange={onChange} />);
    const box = screen.getByPlaceholderText('search');
    expect(box).toHaveValue('打印机');
    await userEvent.clear(box);
    await userEvent.type(box, '  卡纸 {Enter}');
    expect(onChange).toHaveBeenLastCalledWith('卡纸');
    await userEvent.click(screen.getByTestId('filter-clear'));
    expect(box).toHaveValue('');
    expect(screen.queryByTestId('filter-clear')).not.toBeInTheDocument();
  });

  it('shows a text filter set from outside, e.g. by clicking a tag', () => {
    const view = render(<TextFilter value={undefined} onChange={() => undefined} placeholder="tag" />);
    view.rerender(<TextFilter value="硬件" onChange={() => undefined} placeholder="tag" />);
    expect(screen.getByPlaceholderText('tag')).toHaveValue('硬件');
  });

  it('names an enumeration\'s values in the current language', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    const onChange = vi.fn();
    render(<EnumMultiFilter values={['new', 'resolved'] as const} labelKey="ticketStatus" value={['new']} onChange={onChange} data-testid="status" />);
    expect(screen.getByTestId('status')).toHaveTextContent('已受理');
    await act(() => i18n.changeLanguage('en'));
    expect(screen.getByTestId('status')).toHaveTextContent('New');
  });

  it('offers "only mine" instead of an owner list to a role that may not list users', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const none = { read: 'none', create: 'none', update: 'none', delete: 'none', export: 'none' };
    const sales = { ...adminMe, id: 'u9', permissions: { ...adminMe.permissions, users: none } };
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => (new URL(req.url).pathname === '/api/v1/auth/me' ? json(200, sales) : json(200, { data: [] }))));
    const onChange = vi.fn();
    renderWithApp(<OwnerFilter value={undefined} onChange={onChange} onlyMine="只看我的" />);
    await userEvent.click(await screen.findByText('只看我的'));
    await waitFor(() => expect(onChange).toHaveBeenLastCalledWith('u9'));
  });
});
