import { Table, type TableProps } from 'antd';

/** What a table needs of a TanStack query over a list the server sends whole. */
export interface WholeListQuery<T> {
  data: readonly T[] | undefined;
  isPending: boolean;
}

export type FullTableProps<T> = Omit<TableProps<T>, 'pagination' | 'dataSource'> &
  ({ query: WholeListQuery<T>; dataSource?: never } | { query?: never; dataSource: readonly T[] });

/**
 * A table that shows its list whole, without pages (a customer's contacts, the settings' policies, a
 * document's lines), as against the CursorTable of a paged list: rows keyed by `id` unless
 * told otherwise, scrolling sideways on a narrow screen rather than squeezing its columns, and with
 * `query`, the query's rows and a spinner while they first load. Everything else is the antd table's.
 */
export function FullTable<T extends object>({ query, dataSource, ...table }: FullTableProps<T>) {
  return (
    <Table<T>
      rowKey="id"
      scroll={{ x: 'max-content' }}
      loading={query?.isPending}
      {...table}
      dataSource={query ? (query.data ?? []) : dataSource}
      pagination={false}
    />
  );
}
