import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { FullTable } from './FullTable';

interface Row {
  id: string;
  name: string;
}

const columns = [{ key: 'name', dataIndex: 'name', title: 'Name' }];

describe('a table of a whole list', () => {
  it("shows every row of the query's list, with no pager, scrolling sideways when narrow", () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: String(i), name: `row ${i}` }));
    const { container } = render(<FullTable<Row> query={{ data: rows, isPending: false }} columns={columns} data-testid="t" />);
    expect(screen.getAllByRole('row')).toHaveLength(31);
    expect(container.querySelector('.ant-pagination')).toBeNull();
    expect(container.querySelector('.ant-table-scroll-horizontal')).not.toBeNull();
    expect(screen.getByText('row 29').closest('tr')).toHaveAttribute('data-row-key', '29');
  });

  it('spins while the query first loads', () => {
    const { container } = render(<FullTable<Row> query={{ data: undefined, isPending: true }} columns={columns} />);
    expect(container.querySelector('.ant-spin-spinning')).not.toBeNull();
  });

  it('takes rows of its own, keyed as told', () => {
    render(<FullTable<{ resource: string }> dataSource={[{ resource: 'customers' }]} rowKey="resource" columns={[{ key: 'r', dataIndex: 'resource' }]} />);
    expect(screen.getByText('customers').closest('tr')).toHaveAttribute('data-row-key', 'customers');
  });
});
