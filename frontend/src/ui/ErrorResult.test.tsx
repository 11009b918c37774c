import { describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { UseQueryResult } from '@tanstack/react-query';
import i18n from '../i18n';
import { Loaded } from './ErrorResult';

const query = (q: Partial<UseQueryResult<string>>) => ({ isPending: false, isError: false, refetch: vi.fn(), ...q }) as unknown as UseQueryResult<string>;

describe('Loaded', () => {
  it('spins while the query loads', () => {
    const { container } = render(<Loaded query={query({ isPending: true })}>{(s) => <p>{s}</p>}</Loaded>);
    expect(container.querySelector('.ant-spin')).not.toBeNull();
  });

  it('offers a retry when the load failed', async () => {
    await act(() => i18n.changeLanguage('en'));
    const failed = query({ isError: true, error: new Error('boom') });
    render(<Loaded query={failed}>{(s) => <p>{s}</p>}</Loaded>);
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(failed.refetch).toHaveBeenCalledOnce();
  });

  it('renders its children with the data once loaded', () => {
    render(<Loaded query={query({ data: 'the record' })}>{(s) => <p>{s}</p>}</Loaded>);
    expect(screen.getByText('the record')).toBeInTheDocument();
  });
});
