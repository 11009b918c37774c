import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { ItemList } from './ItemList';

const rows = [{ id: 'a', name: 'Alpha' }, { id: 'b', name: 'Beta' }];

describe('ItemList', () => {
  it('renders each row with its actions and title/description, in order', () => {
    render(
      <ItemList
        dataSource={rows}
        data-testid="list"
        renderItem={(r) => (
          <ItemList.Item data-testid="row" actions={[<button key="x">open {r.name}</button>]} extra={<span>extra {r.name}</span>}>
            <ItemList.Item.Meta title={r.name} description={`about ${r.name}`} />
          </ItemList.Item>
        )}
      />,
    );
    expect(screen.getAllByTestId('row').map((r) => r.textContent)).toEqual([
      'Alphaabout Alphaopen Alphaextra Alpha',
      'Betaabout Betaopen Betaextra Beta',
    ]);
    expect(screen.getByRole('button', { name: 'open Beta' })).toBeInTheDocument();
  });

  it('says the list is empty in its own words, but not while it loads', () => {
    const { rerender } = render(<ItemList dataSource={[]} renderItem={() => null} locale={{ emptyText: '暂无反馈' }} />);
    expect(screen.getByText('暂无反馈')).toBeInTheDocument();
    rerender(<ItemList dataSource={[]} loading renderItem={() => null} locale={{ emptyText: '暂无反馈' }} />);
    expect(screen.queryByText('暂无反馈')).toBeNull();
  });
});
