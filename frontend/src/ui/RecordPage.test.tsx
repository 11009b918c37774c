import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { CardStack, RecordColumns } from './RecordPage';

describe('a record page', () => {
  it('puts the record at the left and the related cards at the right, each column stacked', () => {
    const { container } = render(
      <RecordColumns side={<><p>related</p><p>history</p></>}>
        <p>record</p>
        <p>comments</p>
      </RecordColumns>,
    );
    const [main, side] = container.querySelectorAll('.ant-col');
    expect(main).toHaveClass('ant-col-lg-16');
    expect(side).toHaveClass('ant-col-lg-8');
    expect(main).toContainElement(screen.getByText('comments'));
    expect(side).toContainElement(screen.getByText('history'));
    expect(main?.querySelector('.ant-space-vertical')).not.toBeNull();
  });

  it('gives the record a wider column when asked', () => {
    const { container } = render(<RecordColumns mainSpan={17} side={<p>solved</p>}><p>article</p></RecordColumns>);
    const [main, side] = container.querySelectorAll('.ant-col');
    expect(main).toHaveClass('ant-col-lg-17');
    expect(side).toHaveClass('ant-col-lg-7');
  });

  it('stacks cards across the whole width', () => {
    render(<CardStack><p>one</p><p>two</p></CardStack>);
    expect(screen.getByText('one').closest('.ant-space')).toHaveStyle({ width: '100%' });
  });
});
