import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { Contact } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { ContactsPanel } from './ContactsPanel';

afterEach(() => vi.unstubAllGlobals());

const masked: Contact = {
  id: 'k1', customer_id: 'c1', name: '张伟', title: '采购经理', department: null, phone: null, mobile: '139****9000',
  email: 'z***@lianhua.cn', wechat: 'wx***', is_primary: true, birthday: null, notes: null, custom_fields: {}, created_at: '2026-01-01T00:00:00Z',
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

  it('takes an identity document and a bank account: the numbers masked with the eye, in the opened row and in the dialog', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const withDocuments: Contact = {
      ...masked, id_type: 'passport', id_number: 'E12***5678', bank_name: '招商银行', bank_account: '***************0123',
      masked: [...masked.masked, 'id_number', 'bank_account'],
    };
    const writes: { method: string; path: string; body: unknown }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/customers/c1/contacts' && req.method === 'GET') return json(200, { data: [withDocuments], next_cursor: null });
      if (req.method === 'GET') return json(200, { data: [], next_cursor: null });
      const body = req.method === 'PATCH' ? ((await req.json()) as object) : undefined;
      writes.push({ method: req.method, path: url.pathname, body });
      return json(200, { ...withDocuments, ...body, version: 4 });
    }));
    const user = userEvent.setup();
    renderWithApp(<ContactsPanel customerId="c1" />);

    // the row opens on the document and account, masked with the eye
    await user.click(await screen.findByRole('button', { name: /展开行|Expand row/ }, { timeout: 10_000 }));
    const documents = await screen.findByTestId('contact-documents');
    expect(within(documents).getByTestId('contact-id_type-value')).toHaveTextContent('护照');
    expect(within(documents).getByTestId('contact-id_number-value')).toHaveTextContent('E12***5678');
    expect(within(documents).getByTestId('contact-id_number-value')).toHaveAttribute('data-masked', 'true');
    expect(within(documents).getByTestId('contact-bank_name-value')).toHaveTextContent('招商银行');
    expect(within(within(documents).getByTestId('contact-bank_account-value')).getByTestId('personal-reveal')).toBeInTheDocument();

    // the dialog: the numbers disabled with the eye; the type and the bank edited as ever, and only they sent
    await user.click(screen.getByTestId('contact-edit'));
    const form = await screen.findByTestId('contact-form');
    expect(within(form).getByTestId<HTMLInputElement>('contact-id_number')).toBeDisabled();
    expect(within(form).getByTestId<HTMLInputElement>('contact-id_number').value).toBe('E12***5678');
    expect(within(form).getByTestId('contact-bank_account')).toBeDisabled();
    expect(within(form).getByTestId('reveal-id_number')).toBeInTheDocument();
    await choose(user, form, 'contact-id_type', '其他证件');
    const bank = within(form).getByTestId<HTMLInputElement>('contact-bank_name');
    await user.clear(bank);
    await user.type(bank, '招商银行上海分行');
    await user.click(screen.getByTestId('contact-save'));
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]).toEqual({ method: 'PATCH', path: '/api/v1/contacts/k1', body: { id_type: 'other', bank_name: '招商银行上海分行' } });
  }, 40_000);

  it('adds a contact with an identity document and a bank account; a number needs its type first', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const posts: unknown[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/customers/c1/contacts' && req.method === 'POST') {
        const body = (await req.json()) as object;
        posts.push(body);
        return json(201, { ...clear, ...body, id: 'k2' });
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    renderWithApp(<ContactsPanel customerId="c1" />);

    await user.click(await screen.findByTestId('contact-add', {}, { timeout: 10_000 }));
    const form = await screen.findByTestId('contact-form');
    await user.type(within(form).getByTestId('contact-name'), '李娜');
    await user.type(within(form).getByTestId('contact-id_number'), 'E1234 5678');
    await user.type(within(form).getByTestId('contact-bank_account'), '6222021234567890123');
    await user.click(screen.getByTestId('contact-save'));
    const typeItem = within(form).getByTestId('contact-id_type').closest('.ant-form-item') as HTMLElement;
    await waitFor(() => expect(typeItem).toHaveTextContent('Choose the type of this identity document'));
    expect(posts).toHaveLength(0);

    await choose(user, form, 'contact-id_type', 'Passport');
    await waitFor(() => expect(typeItem).not.toHaveTextContent('Choose the type'));
    await user.click(screen.getByTestId('contact-save'));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toMatchObject({ name: '李娜', id_type: 'passport', id_number: 'E1234 5678', bank_name: null, bank_account: '6222021234567890123' });
  }, 40_000);
});

/** Picks the option labelled `label` in the select with this test id inside `within`. */
async function choose(user: UserEvent, container: HTMLElement, testId: string, label: string) {
  const item = within(container).getByTestId(testId).closest('.ant-form-item') as HTMLElement;
  await user.click(within(item).getByRole('combobox'));
  const option = () => document.querySelector<HTMLElement>(`.ant-select-item-option[title="${label}"]`);
  await waitFor(() => expect(option()).not.toBeNull());
  await user.click(option()!);
}
