import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import '../i18n';
import { renderWithApp } from '../test/render';
import type { CursorQuery } from './CursorTable';
import { CustomerTabList } from './CustomerTabList';

interface Row {
  id: string;
  name: string;
}

function query(rows: Row[], failed?: Error): CursorQuery<Row> & { isError: boolean; error: unknown; refetch: () => unknown } {
  return {
    data: failed ? undefined : { pages: [{ data: rows }], pageParams: [null] },
    hasNextPage: false,
    isFetching: false,
    isFetchingNextPage: false,
    fetchNextPage: vi.fn(async () => undefined),
    isError: Boolean(failed),
    error: failed ?? null,
    refetch: vi.fn(),
  };
}

const columns = [{ key: 'name', dataIndex: 'name' }];

describe('a customer tab list', () => {
  it('lists the rows and opens the create page preset with the customer', async () => {
    renderWithApp(
      <CustomerTabList<Row>
        customerId="c 1"
        query={query([{ id: '1', name: 'Deal A' }])}
        create={{ label: 'New deal', path: '/sales/opportunities/new', 'data-testid': 'new-deal' }}
        actions={<button type="button">Export</button>}
        columns={columns}
        emptyText="None yet"
        testId="tab"
        tableTestId="tab-table"
      />,
    );
    expect(screen.getByTestId('tab-table')).toHaveTextContent('Deal A');
    expect(screen.getByRole('button', { name: 'Export' })).toBeInTheDocument();
    await userEvent.click(screen.getByTestId('new-deal'));
    expect(screen.getByTestId('location')).toHaveTextContent('/sales/opportunities/new?customer_id=c%201');
  });

  it('says when the customer has none and offers no "new" to roles that may not create', () => {
    renderWithApp(<CustomerTabList<Row> customerId="c1" query={query([])} create={false} columns={columns} emptyText="None yet" testId="tab" tableTestId="tab-table" />);
    expect(screen.getByTestId('tab-table')).toHaveTextContent('None yet');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('shows a failed first page with "retry" instead of the table', () => {
    renderWithApp(<CustomerTabList<Row> customerId="c1" query={query([], new Error('boom'))} columns={columns} emptyText="None yet" testId="tab" tableTestId="tab-table" />);
    expect(screen.queryByTestId('tab')).toBeNull();
    expect(screen.getByRole('button')).toBeInTheDocument();
  });
});
