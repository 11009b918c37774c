import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { Button, Tag } from 'antd';
import { RecordHead } from './RecordHead';

describe('RecordHead', () => {
  it('shows the title with its tags and the actions beside them', () => {
    render(<RecordHead title="T-42" titleTestId="title" tags={<Tag>open</Tag>} actions={<Button>Close</Button>} actionsTestId="actions" />);
    expect(screen.getByTestId('title')).toHaveTextContent('T-42');
    expect(screen.getByRole('heading', { level: 3 })).toBe(screen.getByTestId('title'));
    expect(screen.getByText('open')).toBeInTheDocument();
    expect(screen.getByTestId('actions')).toContainElement(screen.getByRole('button', { name: 'Close' }));
  });

  it('leaves the actions out when the user may use none', () => {
    render(<RecordHead title="T-42" actions={false} actionsTestId="actions" />);
    expect(screen.queryByTestId('actions')).toBeNull();
  });
});
