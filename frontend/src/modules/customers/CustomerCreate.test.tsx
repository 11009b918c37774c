import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { adminMe, json, problem, renderWithApp } from '../../test/render';
import CustomerCreate from './CustomerCreate';

afterEach(() => vi.unstubAllGlobals());

/** The form item around the input with this test id: where antd shows the input's error. */
function formItemOf(testId: string): HTMLElement {
  const el = screen.getByTestId(testId).closest('.ant-form-item');
  if (!(el instanceof HTMLElement)) throw new Error(`no form item around ${testId}`);
  return el;
}

/** Picks the option labelled `label` in the select with this test id. */
async function choose(user: UserEvent, testId: string, label: string) {
  await user.click(within(formItemOf(testId)).getByRole('combobox'));
  const option = () => document.querySelector<HTMLElement>(`.ant-select-item-option[title="${label}"]`);
  await waitFor(() => expect(option()).not.toBeNull());
  await user.click(option()!);
}

/** The API, with `answers` for the creates in turn; the bodies sent are kept. */
function stubCreates(...answers: (() => Response)[]) {
  const bodies: unknown[] = [];
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
    if (url.pathname === '/api/v1/customers' && req.method === 'POST') {
      bodies.push(await req.json());
      return (answers[bodies.length - 1] ?? answers[answers.length - 1]!)();
    }
    return json(200, { data: [], next_cursor: null });
  }));
  return bodies;
}

describe('CustomerCreate', () => {
  it('a double click on save creates one customer: one request, or repeats with the same key', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const posts: (string | null)[] = [];
    let answer: (() => void) | undefined;
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/customers' && req.method === 'POST') {
        posts.push(req.headers.get('Idempotency-Key'));
        // the answer waits until the test has clicked twice, as a slow server would
        await new Promise<void>((resolve) => { answer = resolve; });
        return json(201, { id: 'c9', name: '双击', version: 1 });
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    renderWithApp(<CustomerCreate />, { path: '/customers/new' });

    await user.type(await screen.findByTestId('customer-name'), '双击');
    await user.dblClick(screen.getByTestId('customer-save'));
    await waitFor(() => expect(posts.length).toBeGreaterThan(0));
    // while saving, the button shows it and takes no more clicks
    await waitFor(() => expect(screen.getByTestId('customer-save')).toHaveClass('ant-btn-loading'));
    await user.click(screen.getByTestId('customer-save'));
    answer?.();
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/customers/c9'), { timeout: 10_000 });
    expect(posts).toHaveLength(1);
    expect(posts[0]).toBeTruthy();
  }, 30_000);

  it('creates an individual with an identity card and a bank account: a type needs its number first, then the body carries all four', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const bodies = stubCreates(() => json(201, { id: 'c9', name: '张伟', version: 1 }));
    const user = userEvent.setup();
    renderWithApp(<CustomerCreate />, { path: '/customers/new' });

    await user.type(await screen.findByTestId('customer-name'), '张伟');
    // a company has no identity document: its inputs come with the kind
    expect(screen.queryByTestId('customer-id_number')).toBeNull();
    await choose(user, 'customer-kind', '个人');
    await choose(user, 'customer-id_type', '居民身份证');
    await user.click(screen.getByTestId('customer-save'));
    await waitFor(() => expect(formItemOf('customer-id_number')).toHaveTextContent('选择证件类型时须填写证件号码'));
    expect(bodies).toHaveLength(0);

    await user.type(screen.getByTestId('customer-id_number'), '11010519491231002X');
    await user.type(screen.getByTestId('customer-bank_name'), '招商银行上海分行');
    await user.type(screen.getByTestId('customer-bank_account'), '6222 0212 3456 7890 123');
    await user.click(screen.getByTestId('customer-save'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/customers/c9'), { timeout: 10_000 });
    // as typed: the server drops the spaces and checks the check digit
    expect(bodies).toEqual([{
      kind: 'individual', name: '张伟', lifecycle_stage: 'potential', tags: [],
      id_type: 'id_card', id_number: '11010519491231002X', bank_name: '招商银行上海分行', bank_account: '6222 0212 3456 7890 123',
    }]);
  }, 40_000);

  it("says in Chinese why the server refused: the number's check digit beside it, a number another customer holds above the form", async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const bodies = stubCreates(
      () => problem(422, [{ field: 'id_number', code: 'id_card', message: 'not a valid resident identity card number (18 characters with a matching check digit)' }]),
      () => json(409, {
        type: '/problems/conflict', title: 'Conflict', status: 409, code: 'customer.id_number_taken', existing_id: 'c1',
        detail: 'a live customer already holds this identity document number',
      }),
    );
    const user = userEvent.setup();
    renderWithApp(<CustomerCreate />, { path: '/customers/new' });

    await user.type(await screen.findByTestId('customer-name'), '张伟');
    await choose(user, 'customer-kind', '个人');
    await choose(user, 'customer-id_type', '居民身份证');
    await user.type(screen.getByTestId('customer-id_number'), '110105194912310021');
    await user.click(screen.getByTestId('customer-save'));
    await waitFor(() => expect(formItemOf('customer-id_number')).toHaveTextContent('请输入有效的 18 位居民身份证号码（校验位须正确）'));
    expect(screen.queryByTestId('form-error')).toBeNull();

    await user.clear(screen.getByTestId('customer-id_number'));
    await user.type(screen.getByTestId('customer-id_number'), '11010519491231002X');
    await user.click(screen.getByTestId('customer-save'));
    await waitFor(() => expect(screen.getByTestId('form-error')).toHaveTextContent('已有客户使用此证件号码。'));
    expect(formItemOf('customer-id_number')).not.toHaveTextContent('校验位');
    expect(bodies).toHaveLength(2);
    expect(screen.getByTestId('location')).toHaveTextContent('/customers/new');
  }, 40_000);
});
