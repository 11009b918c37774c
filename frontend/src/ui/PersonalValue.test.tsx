import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../i18n';
import { tokenStore } from '../api/tokens';
import type { Customer } from '../api/types';
import { json, renderWithApp } from '../test/render';
import { PhoneLink } from './PhoneLink';
import { MaskedValue, PersonalValue } from './PersonalValue';

const masked: Customer = {
  id: 'c1', kind: 'individual', name: '张伟', industry: null, size_band: null, province: null, city: null, district: null,
  address: '上海市徐汇区****', phone: '138****5678', email: 'z***@lianhua.cn', website: null, credit_code: null, source_channel: null,
  lifecycle_stage: 'prospect', value_tier: null, tags: [], custom_fields: {}, gender: null, birthday: null, preferences: null, notes: null,
  owner_id: 'u1', owner_name: 'Owner', team_id: null, team_name: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  version: 4, order_count: 0, total_spend_minor: 0, external_ids: {}, masked: ['phone', 'email', 'address', 'birthday'],
};
const clear: Customer = {
  ...masked, address: '上海市徐汇区漕溪北路 88 号', phone: '+8613812345678', email: 'zhang.wei@lianhua.cn', birthday: '1985-03-04', masked: [],
};

afterEach(() => vi.unstubAllGlobals());

/** The API: `reveal` answers the customer's reveal; every request is kept. */
function stubApi(reveal: () => Response) {
  const requests: { method: string; path: string }[] = [];
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    requests.push({ method: req.method, path: url.pathname });
    if (req.method === 'POST' && url.pathname === '/api/v1/customers/c1/reveal') return reveal();
    return json(404, { title: 'Not found', status: 404 });
  }));
  return requests;
}

/** The customer's personal fields as a page shows them: each its own component, one record. */
function Fields({ record }: { record: Customer }) {
  return (
    <div>
      <PersonalValue kind="customer" record={record} field="phone" render={(p) => <PhoneLink value={p} />} data-testid="phone" />
      <PersonalValue kind="customer" record={record} field="email" data-testid="email" />
      <PersonalValue kind="customer" record={record} field="birthday" empty="—" data-testid="birthday" />
    </div>
  );
}

async function signedInIn(language: string) {
  await act(() => i18n.changeLanguage(language));
  tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
}

describe('PersonalValue', () => {
  it('shows a masked value with an eye; the eye reveals the whole record in place, once', async () => {
    await signedInIn('en');
    const requests = stubApi(() => json(200, clear));
    const user = userEvent.setup();
    renderWithApp(<Fields record={masked} />);

    expect(screen.getByTestId('phone')).toHaveTextContent('138****5678');
    expect(screen.getByTestId('email')).toHaveTextContent('z***@lianhua.cn');
    // a birthday has no masked form
    expect(screen.getByTestId('birthday')).toHaveTextContent('Hidden');
    expect(screen.getAllByTestId('personal-reveal')).toHaveLength(3);
    const eye = within(screen.getByTestId('phone')).getByTestId('personal-reveal');
    expect(eye).toHaveAccessibleName('Show in full (audited)');
    await user.hover(eye);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('Show in full (audited)');

    await user.click(eye);
    // every field of the record, not only the one clicked
    await waitFor(() => expect(screen.getByTestId('phone')).toHaveTextContent('138 1234 5678'));
    expect(within(screen.getByTestId('phone')).getByRole('link')).toHaveAttribute('href', 'tel:+8613812345678');
    expect(screen.getByTestId('email')).toHaveTextContent('zhang.wei@lianhua.cn');
    expect(screen.getByTestId('birthday')).toHaveTextContent('1985-03-04');
    expect(screen.queryAllByTestId('personal-reveal')).toHaveLength(0);
    // one reveal and nothing refetched
    expect(requests).toEqual([{ method: 'POST', path: '/api/v1/customers/c1/reveal' }]);
  });

  it("a refusal (403) shows the server's sentence and keeps the value masked", async () => {
    await signedInIn('zh-CN');
    const requests = stubApi(() =>
      json(403, { type: '/problems/forbidden', title: '禁止访问', status: 403, code: 'forbidden', detail: '您的角色无权查看个人信息' }),
    );
    const user = userEvent.setup();
    renderWithApp(<Fields record={masked} />);

    expect(screen.getByTestId('birthday')).toHaveTextContent('已隐藏');
    const eye = within(screen.getByTestId('email')).getByTestId('personal-reveal');
    expect(eye).toHaveAccessibleName('查看完整信息（将记录审计）');
    await user.click(eye);
    expect(await screen.findByText('您的角色无权查看个人信息')).toBeInTheDocument();
    expect(screen.getByTestId('email')).toHaveTextContent('z***@lianhua.cn');
    expect(screen.getAllByTestId('personal-reveal')).toHaveLength(3);
    expect(requests).toHaveLength(1);
  });

  it('a value in clear has no eye, and nothing is asked', async () => {
    await signedInIn('en');
    const requests = stubApi(() => json(200, clear));
    renderWithApp(<Fields record={clear} />);
    expect(screen.getByTestId('phone')).toHaveTextContent('138 1234 5678');
    expect(screen.getByTestId('birthday')).toHaveTextContent('1985-03-04');
    expect(screen.queryAllByTestId('personal-reveal')).toHaveLength(0);
    expect(requests).toHaveLength(0);
  });

  it('a masked value without a reveal of its own (a portal account) is shown masked, without an eye', async () => {
    await signedInIn('en');
    renderWithApp(
      <>
        <MaskedValue value="l***@lianhua.cn" masked data-testid="masked" />
        <MaskedValue value="li.na@lianhua.cn" masked={false} data-testid="clear" />
      </>,
    );
    expect(screen.getByTestId('masked')).toHaveTextContent('l***@lianhua.cn');
    expect(screen.getByTestId('masked')).toHaveAttribute('data-masked', 'true');
    expect(screen.getByTestId('clear')).toHaveTextContent('li.na@lianhua.cn');
    expect(screen.queryAllByTestId('personal-reveal')).toHaveLength(0);
  });
});
