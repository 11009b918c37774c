import type { ReactNode } from 'react';
import { Button, Space } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { CursorTable, type CursorTableProps } from './CursorTable';
import { ErrorResult } from './ErrorResult';

/** The "new …" button of a customer tab: it opens the record's create page preset with the customer. */
export interface NewForCustomer {
  label: string;
  /** The create page, e.g. `/sales/orders/new`; `?customer_id=` is added. */
  path: string;
  'data-testid': string;
}

type CustomerTabListProps<T> = Omit<CursorTableProps<T>, 'compact' | 'locale' | 'data-testid'> & {
  customerId: string;
  /** The list's query; a first page that failed to load shows the failure with "retry" instead of the tab. */
  query: CursorTableProps<T>['query'] & { isError: boolean; error: unknown; refetch: () => unknown };
  /** "new …" for roles that may create the record; nothing otherwise. */
  create?: NewForCustomer | false;
  /** Further buttons after "new …" (e.g. an export). */
  actions?: ReactNode;
  /** What the table says when the customer has none. */
  emptyText: string;
  /** The test id of the tab's whole content. */
  testId: string;
  /** The test id of the table. */
  tableTestId: string;
};

/**
 * One tab of the customer page that lists the customer's records of one kind (requirements,
 * opportunities, orders, tickets): "new …" preset with the customer and any further buttons above
 * a compact cursor table. Columns and row props are the caller's and pass through to the table.
 */
export function CustomerTabList<T extends object>({
  customerId, query, create, actions, emptyText, testId, tableTestId, ...table
}: CustomerTabListProps<T>) {
  const navigate = useNavigate();
  if (query.isError && !query.data) return <ErrorResult error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <div data-testid={testId}>
      {(create || actions) && (
        <Space style={{ marginBottom: 12 }} wrap>
          {create && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => navigate(`${create.path}?customer_id=${encodeURIComponent(customerId)}`)}
              data-testid={create['data-testid']}
            >
              {create.label}
            </Button>
          )}
          {actions}
        </Space>
      )}
      <CursorTable<T> {...table} query={query} compact locale={{ emptyText }} data-testid={tableTestId} />
    </div>
  );
}
