import { useMemo } from 'react';
import { Badge, Button, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import type { InfiniteData } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../i18n/format';

/** One page of a keyset-paginated list as the API answers it; `total` comes with the first page when asked for. */
export interface CursorPage<T> {
  data: T[];
  total?: number | null;
}

/** What the list parts need of a TanStack `useInfiniteQuery` result over cursor pages. */
export interface CursorQuery<T> {
  data: InfiniteData<CursorPage<T>, unknown> | undefined;
  hasNextPage: boolean;
  isFetching: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/** The loaded rows of every page, in order. */
export function useCursorRows<T>(query: Pick<CursorQuery<T>, 'data'>): T[] {
  return useMemo(() => query.data?.pages.flatMap((p) => p.data) ?? [], [query.data]);
}

/** The list's total, when the first page brought one. */
export function cursorTotal(query: Pick<CursorQuery<unknown>, 'data'>): number | undefined {
  return query.data?.pages[0]?.total ?? undefined;
}

/** A list's total as a grey badge next to its title; nothing until the server has counted. */
export function TotalBadge({ total, ...rest }: { total: number | null | undefined; 'data-testid'?: string }) {
  const { i18n } = useTranslation();
  if (total === undefined || total === null) return null;
  return (
    <Badge
      count={formatNumber(total, i18n.language)}
      color="#8c8c8c"
      overflowCount={Number.MAX_SAFE_INTEGER}
      data-testid={rest['data-testid']}
    />
  );
}

interface LoadMoreProps {
  query: Pick<CursorQuery<unknown>, 'hasNextPage' | 'isFetchingNextPage' | 'fetchNextPage'>;
  /** How many rows are shown: with `end`, "no more" is said under a list that has any. */
  shown?: number;
  /** Say "no more" once the last page is in. */
  end?: boolean;
  /** Less space above, for lists inside a card or tab. */
  compact?: boolean;
  /** The button's words when "load more" is not the best ones (e.g. "load later comments"). */
  label?: string;
  size?: 'small' | 'middle';
  block?: boolean;
  'data-testid'?: string;
}

/** The footer of a cursor list: "load more" while the server has another page, then optionally "no more". */
export function LoadMore({ query, shown = 0, end = false, compact = false, label, size, block, ...rest }: LoadMoreProps) {
  const { t } = useTranslation();
  const style = { textAlign: 'center' as const, marginTop: compact ? 8 : 16 };
  if (query.hasNextPage) {
    return (
      <div style={style}>
        <Button
          size={size}
          block={block}
          onClick={() => void query.fetchNextPage()}
          loading={query.isFetchingNextPage}
          data-testid={rest['data-testid']}
        >
          {label ?? t('common.loadMore')}
        </Button>
      </div>
    );
  }
  if (end && shown > 0) {
    return (
      <div style={style}>
        <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
      </div>
    );
  }
  return null;
}

export type CursorTableProps<T> = Omit<TableProps<T>, 'dataSource' | 'loading' | 'pagination'> & {
  query: CursorQuery<T>;
  /** A list inside a card or tab: smaller rows, less space above the footer. */
  compact?: boolean;
  /** The test id of the "load more" button. */
  loadMoreTestId?: string;
};

/**
 * A table over a keyset-paginated list: every loaded page's rows, a spinner while the first page
 * (or a new filter's) loads but not while more rows are added, and the "load more" / "no more"
 * footer. Everything else is the antd table's, passed through.
 */
export function CursorTable<T extends object>({ query, compact = false, loadMoreTestId = 'load-more', ...table }: CursorTableProps<T>) {
  const rows = useCursorRows(query);
  return (
    <>
      <Table<T>
        rowKey="id"
        size={compact ? 'small' : 'middle'}
        scroll={{ x: 'max-content' }}
        {...table}
        dataSource={rows}
        loading={query.isFetching && !query.isFetchingNextPage}
        pagination={false}
      />
      <LoadMore query={query} shown={rows.length} end compact={compact} data-testid={loadMoreTestId} />
    </>
  );
}
