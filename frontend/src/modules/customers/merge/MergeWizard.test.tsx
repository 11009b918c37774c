import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import i18n from '../../../i18n';
import { tokenStore } from '../../../api/tokens';
import type { Customer } from '../../../api/types';
import { adminMe, json, renderWithApp } from '../../../test/render';
import CustomerShow from '../CustomerShow';
import { MergeWizard } from './MergeWizard';

afterEach(() => vi.unstubAllGlobals());
beforeEach(() => tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 }));

const base: Customer = {
  id: 'c1', kind: 'company', name: '联华超市', industry: 'retail', size_band: null, province: '上海市', city: '上海市', district: null,
  address: null, phone: '138****5678', email: null, website: null, credit_code: null, source_channel: null, lifecycle_stage: 'prospect',
  value_tier: null, tags: ['vip'], custom_fields: {}, gender: null, birthday: null, preferences: null, notes: null,
  id_type: null, id_number: null, bank_name: null, bank_account: null,
  owner_id: 'u1', owner_name: 'Owner', team_id: null, team_name: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  version: 2, order_count: 0, total_spend_minor: 0, external_ids: { erp: 'E-1' }, masked: ['phone'],
};
const survivor: Customer = { ...base, custom_fields: { level: 'gold' } as unknown as Customer['custom_fields'] };
const other: Customer = {
  ...base, id: 'c2', name: '联华超市（重复）', city: '北京市', website: 'lianhua.cn', phone: '139****0000', tags: ['key'],
  custom_fields: { level: 'silver', region_code: 'E' } as unknown as Customer['custom_fields'], external_ids: { erp: 'E-2' },
};
const defs = [{
  id: 'f1', entity: 'customers', key: 'level', label_zh: '客户等级', label_en: 'Level', field_type: 'select', required: false,
  options: [{ value: 'gold', label_zh: '金牌', label_en: 'Gold' }, { value: 'silver', label_zh: '银牌', label_en: 'Silver' }],
  position: 1, retired: false, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 1,
}];
const moved = {
  contacts: 2, interactions: 5, tasks: 1, opportunities: 0, orders: 3, tickets: 0, consents: 0, portal_accounts: 0, requirement_requests: 0, timeline_items: 9,
};

interface Sent { body: Record<string, unknown>; key: string | null }

/** The API: two customers, their custom field definitions and the merge; what the merge was sent is kept. */
function stubApi(opts: {
  me?: unknown;
  other?: Customer;
  defs?: 'fail' | unknown[];
  merge?: (body: Record<string, unknown>) => Response;
} = {}) {
  const sent: Sent[] = [];
  const otherRecord = opts.other ?? other;
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, opts.me ?? adminMe);
    if (url.pathname === '/api/v1/customers/c1' && req.method === 'GET') return json(200, survivor);
    if (url.pathname === '/api/v1/customers/c2' && req.method === 'GET') return json(200, otherRecord);
    if (url.pathname === '/api/v1/customers' && req.method === 'GET') return json(200, { data: [survivor, otherRecord], next_cursor: null });
    if (url.pathname === '/api/v1/custom-fields') {
      return opts.defs === 'fail' ? json(500, { title: 'Internal', status: 500 }) : json(200, { data: opts.defs ?? defs, next_cursor: null });
    }
    if (url.pathname === '/api/v1/customers/c1/merge' && req.method === 'POST') {
      const body = (await req.json()) as Record<string, unknown>;
      sent.push({ body, key: req.headers.get('Idempotency-Key') });
      if (opts.merge) return opts.merge(body);
      const choices = (body.field_choices ?? {}) as Record<string, string>;
      const result = {
        ...survivor, website: other.website, city: choices.city === 'other' ? other.city : survivor.city, tags: ['vip', 'key'], version: 3,
      };
      return json(200, {
        survivor: result, merged_id: 'c2', moved, taken_from_other: ['website', ...(choices.city === 'other' ? ['city'] : [])],
        kept_external_ids: { erp: 'E-2' }, dry_run: body.dry_run === true,
      });
    }
    if (req.method === 'GET') return json(200, { data: [], next_cursor: null });
    return json(404, { title: 'Not found', status: 404 });
  }));
  return sent;
}

function renderWizard(onClose = vi.fn()) {
  renderWithApp(<MergeWizard survivor={survivor} onClose={onClose} />, { path: '/customers/c1' });
  return onClose;
}

/** The radio of a choice (antd puts the test id on its label or on the input). */
function radio(testId: string): HTMLInputElement {
  const el = screen.getByTestId(testId);
  return (el instanceof HTMLInputElement ? el : el.querySelector('input')) as HTMLInputElement;
}

/** Picks the duplicate by name in step 1 and goes on to the comparison. */
async function pickOther(user: UserEvent, name = other.name) {
  const picker = await screen.findByTestId('merge-other');
  await user.click(within(picker).getByRole('combobox'));
  const option = () => document.querySelector<HTMLElement>(`.ant-select-item-option[title="${name}"]`);
  await waitFor(() => expect(option()).not.toBeNull());
  await user.click(option()!);
}

async function toComparison(user: UserEvent) {
  await pickOther(user);
  await waitFor(() => expect(screen.getByTestId('merge-next')).toBeEnabled());
  await user.click(screen.getByTestId('merge-next'));
  await screen.findByTestId('merge-compare');
}

describe('the merge wizard', () => {
  it("never offers this customer, and preselects the server's defaults for the fields that differ", async () => {
    await i18n.changeLanguage('en');
    stubApi();
    const user = userEvent.setup();
    renderWizard();

    const picker = await screen.findByTestId('merge-other');
    await user.click(within(picker).getByRole('combobox'));
    await waitFor(() => expect(document.querySelector(`.ant-select-item-option[title="${other.name}"]`)).not.toBeNull());
    expect(document.querySelector(`.ant-select-item-option[title="${survivor.name}"]`)).toBeNull();
    await user.click(document.querySelector<HTMLElement>(`.ant-select-item-option[title="${other.name}"]`)!);
    await waitFor(() => expect(screen.getByTestId('merge-next')).toBeEnabled());
    await user.click(screen.getByTestId('merge-next'));
    const table = await screen.findByTestId('merge-compare');

    // the survivor's value where it has one, the other's where it has none
    expect(radio('merge-pick-city-survivor')).toBeChecked();
    expect(radio('merge-pick-city-other')).not.toBeChecked();
    expect(radio('merge-pick-website-other')).toBeChecked();
    expect(radio('merge-pick-website-survivor')).not.toBeChecked();
    // masked values are shown as sent, never revealed, and offered since they cannot be compared
    expect(radio('merge-pick-phone-survivor')).toBeChecked();
    expect(within(screen.getByTestId('merge-row-phone')).getByText('139****0000')).toHaveAttribute('data-masked', 'true');
    // custom fields, labelled from their definitions, the options by their labels; an undefined one by its key
    const level = screen.getByTestId('merge-row-custom_fields.level');
    expect(level).toHaveTextContent('Level');
    expect(level).toHaveTextContent('Gold');
    expect(level).toHaveTextContent('Silver');
    expect(radio('merge-pick-custom_fields.level-survivor')).toBeChecked();
    expect(screen.getByTestId('merge-row-custom_fields.region_code')).toHaveTextContent('region_code');
    expect(radio('merge-pick-custom_fields.region_code-other')).toBeChecked();
    expect(radio('merge-pick-name-survivor')).toBeChecked();
    // the same values are not offered
    expect(screen.queryByTestId('merge-row-province')).toBeNull();
    expect(screen.queryByTestId('merge-row-owner')).toBeNull();
    expect(within(table).getByText('Kept (this customer)')).toBeInTheDocument();
  }, 30_000);

  it('sends only the choices changed, previews the dry run and merges on confirm', async () => {
    await i18n.changeLanguage('en');
    const sent = stubApi();
    const user = userEvent.setup();
    const onClose = renderWizard();
    await toComparison(user);

    await user.click(radio('merge-pick-city-other'));
    expect(radio('merge-pick-city-other')).toBeChecked();
    expect(radio('merge-pick-city-survivor')).not.toBeChecked();
    await user.click(screen.getByTestId('merge-preview'));

    const preview = await screen.findByTestId('merge-result-preview');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({ other_id: 'c2', field_choices: { city: 'other' }, dry_run: true });
    // how many of each kind would move, labelled
    const movedList = screen.getByTestId('merge-moved');
    expect(screen.getByTestId('merge-moved-contacts')).toHaveTextContent('2');
    expect(screen.getByTestId('merge-moved-orders')).toHaveTextContent('3');
    expect(screen.getByTestId('merge-moved-timeline_items')).toHaveTextContent('9');
    expect(within(movedList).getByText('Contacts')).toBeInTheDocument();
    expect(within(movedList).getByText('Timeline entries')).toBeInTheDocument();
    // the survivor as it would be, the fields from the other marked; the external id left with the other
    expect(within(screen.getByTestId('merge-survivor-after')).getByText('北京市')).toBeInTheDocument();
    expect(screen.getByTestId('merge-taken-city')).toHaveTextContent('From the duplicate');
    expect(screen.getByTestId('merge-taken-website')).toBeInTheDocument();
    expect(screen.getByTestId('merge-kept-external-ids')).toHaveTextContent('erp: E-2');
    expect(within(preview).getByText('vip, key')).toBeInTheDocument();

    await user.click(screen.getByTestId('merge-confirm'));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]!.body).toEqual({ other_id: 'c2', field_choices: { city: 'other' }, dry_run: false });
    expect(sent[1]!.key).toBeTruthy();
    // contacts, interactions, tasks and orders: the timeline's entries are not counted again
    expect(await screen.findByText(`${other.name} merged into this customer: 11 records moved.`)).toBeInTheDocument();
    expect(onClose).toHaveBeenCalled();
  }, 30_000);

  it('sends no choices when the defaults are kept', async () => {
    await i18n.changeLanguage('en');
    const sent = stubApi();
    const user = userEvent.setup();
    renderWizard();
    await toComparison(user);
    await user.click(screen.getByTestId('merge-preview'));
    await screen.findByTestId('merge-result-preview');
    expect(sent[0]!.body).toEqual({ other_id: 'c2', dry_run: true });
  }, 30_000);

  it("shows a 409's reason in the UI's language and stays on the step", async () => {
    await i18n.changeLanguage('zh-CN');
    stubApi({
      merge: () => json(409, { type: '/problems/conflict', title: 'Conflict', status: 409, code: 'customer.merge_kind_mismatch', detail: 'kinds differ' }),
    });
    const user = userEvent.setup();
    renderWizard();
    await toComparison(user);
    await user.click(screen.getByTestId('merge-preview'));

    expect(await screen.findByTestId('merge-error')).toHaveTextContent('企业客户与个人客户不能合并：两个客户的类型必须相同。');
    expect(screen.getByTestId('merge-compare')).toBeInTheDocument();
    expect(screen.queryByTestId('merge-result-preview')).toBeNull();
  }, 30_000);

  it("shows a refused confirmation (422) with the server's field message, and merges nothing twice", async () => {
    await i18n.changeLanguage('en');
    const sent = stubApi({
      merge: (body) =>
        body.dry_run
          ? json(200, { survivor, merged_id: 'c2', moved, taken_from_other: [], kept_external_ids: {}, dry_run: true })
          : json(422, {
            type: '/problems/validation', title: 'Validation failed', status: 422, detail: 'Invalid fields',
            errors: [{ field: 'other_id', code: 'not_found', message: 'no customer with this id that you may merge' }],
          }),
    });
    const user = userEvent.setup();
    const onClose = renderWizard();
    await toComparison(user);
    await user.click(screen.getByTestId('merge-preview'));
    await screen.findByTestId('merge-result-preview');
    await user.click(screen.getByTestId('merge-confirm'));

    const error = await screen.findByTestId('merge-error');
    expect(error).toHaveTextContent('Invalid fields');
    expect(error).toHaveTextContent('The duplicate no longer exists, or you may not merge it.');
    expect(sent).toHaveLength(2);
    expect(onClose).not.toHaveBeenCalled();
  }, 30_000);

  it('does not go on with a company and an individual', async () => {
    await i18n.changeLanguage('en');
    stubApi({ other: { ...other, kind: 'individual' } });
    const user = userEvent.setup();
    renderWizard();
    await pickOther(user);
    expect(await screen.findByTestId('merge-kind-mismatch')).toHaveTextContent('A company and an individual cannot be merged');
    expect(screen.getByTestId('merge-next')).toBeDisabled();
  }, 30_000);

  it('labels custom fields by their keys when their definitions cannot be read', async () => {
    await i18n.changeLanguage('zh-CN');
    stubApi({ defs: 'fail' });
    const user = userEvent.setup();
    renderWizard();
    await toComparison(user);
    await waitFor(() => expect(screen.getByTestId('merge-row-custom_fields.level')).toHaveTextContent('level'));
    expect(screen.getByTestId('merge-row-custom_fields.level')).toHaveTextContent('gold');
    expect(screen.getByText('保留（本客户）')).toBeInTheDocument();
  }, 30_000);
});

describe("the customer page's merge action", () => {
  function renderShow() {
    return renderWithApp(
      <Routes>
        <Route path="/customers/:id" element={<CustomerShow />} />
      </Routes>,
      { path: '/customers/c1' },
    );
  }

  it('opens the wizard for those who may change and delete customers', async () => {
    await i18n.changeLanguage('zh-CN');
    stubApi();
    const user = userEvent.setup();
    renderShow();
    const action = await screen.findByTestId('customer-merge', {}, { timeout: 10_000 });
    expect(action).toHaveTextContent('合并重复客户');
    await user.click(action);
    expect(await screen.findByTestId('merge-wizard')).toHaveTextContent('选择重复客户');
  }, 30_000);

  it('is not offered to a role that may not change customers', async () => {
    await i18n.changeLanguage('en');
    const readOnly = { ...adminMe, permissions: { ...adminMe.permissions, customers: { read: 'all', create: 'none', update: 'none', delete: 'none', export: 'none' } } };
    stubApi({ me: readOnly });
    renderShow();
    await screen.findByTestId('customer-title', {}, { timeout: 10_000 });
    // the permissions are read: the role may log interactions
    await screen.findByTestId('log-interaction');
    expect(screen.queryByTestId('customer-edit')).toBeNull();
    expect(screen.queryByTestId('customer-merge')).toBeNull();
  }, 30_000);
});
