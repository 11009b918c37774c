import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Form } from 'antd';
import '../../i18n';
import { tokenStore } from '../../api/tokens';
import { json, renderWithApp } from '../../test/render';
import { ContactSelect } from './ContactSelect';

afterEach(() => vi.unstubAllGlobals());

function Picker({ customerId }: { customerId?: string }) {
  return (
    <Form>
      <Form.Item name="contact_id" label="Contact">
        <ContactSelect customerId={customerId} placeholder="Pick the customer first" data-testid="contact" />
      </Form.Item>
    </Form>
  );
}

describe('the contact picker of a form', () => {
  it('waits for the customer before offering anything', () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    renderWithApp(<Picker />);
    expect(screen.getByText('Pick the customer first')).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("offers the customer's contacts by name and job title", async () => {
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    vi.stubGlobal('fetch', vi.fn(async (req: Request) =>
      new URL(req.url).pathname === '/api/v1/customers/c1/contacts'
        ? json(200, { data: [{ id: 'p1', name: '张伟', title: '采购经理' }, { id: 'p2', name: '李娜', title: null }] })
        : json(404, {})));
    renderWithApp(<Picker customerId="c1" />);
    await userEvent.click(screen.getByRole('combobox'));
    await waitFor(() => expect(screen.getByText('张伟 · 采购经理')).toBeInTheDocument());
    expect(screen.getByText('李娜')).toBeInTheDocument();
  });
});
