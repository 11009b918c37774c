import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Contact } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { ContactsPanel } from './ContactsPanel';

afterEach(() => vi.unstubAllGlobals());

const masked: Contact = {
  id: 'k1', customer_id: 'c1', name: '张伟', title: '采购经理', department: null, phone: null, mobile: '139****9000',
  email: 'z***@lianhua.cn', wechat: 'wx***', is_primary: true, birthday: null, notes: null, created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z', version: 3, external_ids: {}, masked: ['mobile', 'email', 'wechat', 'birthday'],
};
const clear: Contact = { ...masked, mobile: '+8613900139000', email: 'zhang.wei@lianhua.cn', wechat: 'wxid_zhang', birthday: '1988-05-04', masked: [] };

describe('the contact edit dialog', () => {
  it('takes no masked value blind: disabled with the eye, which reveals the contact and fills the inputs; only changes are sent', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const writes: { method: string; path: string; body: unknown }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/customers/c1/contacts' && req.method === 'GET') return json(200, { data: [masked], next_cursor: null });
      if (req.method === 'GET') return json(200, { data: [], next_cursor: null });
      const body = req.method === 'PATCH' ? ((await req.json()) as object) : undefined;
      writes.push({ method: req.method, path: url.pathname, body });
      if (url.pathname === '/api/v1/contacts/k1/reveal') return json(200, clear);
      if (url.pathname === '/api/v1/contacts/k1') return json(200, { ...masked, ...body, version: 4 });
      return json(404, { title: 'Not found', status: 404 });
    }));
    const user = userEvent.setup();
    renderWithApp(<ContactsPanel customerId="c1" />);

    await user.click(await screen.findByTestId('contact-edit', {}, { timeout: 10_000 }));
    const form = await screen.findByTestId('contact-form');
    const mobile = within(form).getByTestId<HTMLInputElement>('contact-mobile');
    expect(mobile).toBeDisabled();
    expect(mobile.value).toBe('139****9000');
    expect(within(form).getByTestId('contact-email')).toBeDisabled();
    expect(within(form).getByTestId('contact-phone')).toBeEnabled();
    expect(within(form).getByTestId('masked-field-wechat')).toHaveTextContent('Masked: show in full (audited) to edit it');
    const title = within(form).getByTestId<HTMLInputElement>('contact-title');
    await user.clear(title);
    await user.type(title, '总监');

    await user.click(within(form).getByTestId('reveal-mobile'));
    // the input is mounted anew without its masked wrapper
    const revealed = () => within(screen.getByTestId('contact-form')).getByTestId<HTMLInputElement>('contact-mobile');
    await waitFor(() => expect(revealed()).toBeEnabled());
    expect(revealed().value).toBe('139 0013 9000');
    expect(within(form).getByTestId<HTMLInputElement>('contact-wechat').value).toBe('wxid_zhang');
    // typed before the reveal, kept after it
    expect(title.value).toBe('总监');
    expect(within(form).queryAllByTestId(/^reveal-/)).toHaveLength(0);

    await user.click(screen.getByTestId('contact-save'));
    await waitFor(() => expect(writes).toHaveLength(2));
    expect(writes).toEqual([
      { method: 'POST', path: '/api/v1/contacts/k1/reveal', body: undefined },
      { method: 'PATCH', path: '/api/v1/contacts/k1', body: { title: '总监' } },
    ]);
  }, 30_000);
});
