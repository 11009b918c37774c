import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { CustomField } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { field } from '../customFields/fixtures.test-utils';
import { CustomFieldsTab, customFieldPatch, customFieldToForm } from './CustomFieldsTab';

interface Call {
  method: string;
  path: string;
  query: string;
  ifMatch: string | null;
  body: unknown;
}

const level = field('level', 'select', {
  id: 'cf1', label_zh: '客户级别', label_en: 'Customer level', version: 3,
  options: [
    { value: 'gold', label_zh: '金牌', label_en: 'Gold', retired: false },
    { value: 'silver', label_zh: '银牌', label_en: 'Silver', retired: false },
  ],
});
const legacy = field('legacy_code', 'text', { id: 'cf2', label_zh: '旧编码', label_en: 'Legacy code', retired: true, version: 2 });

/** A server holding `rows`; writes are recorded in `calls` and answered by `answer` when it says so. */
function stubServer(rows: CustomField[], answer: (c: Call) => Response | undefined = () => undefined) {
  tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
  const calls: Call[] = [];
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
    if (url.pathname === '/api/v1/users') return json(200, { data: [], next_cursor: null });
    if (url.pathname === '/api/v1/custom-fields' && req.method === 'GET') {
      const entity = url.searchParams.get('entity');
      return json(200, { data: rows.filter((r) => r.entity === entity), next_cursor: null });
    }
    const text = await req.text();
    const call = { method: req.method, path: url.pathname, query: url.search, ifMatch: req.headers.get('If-Match'), body: text ? (JSON.parse(text) as unknown) : null };
    calls.push(call);
    const own = answer(call);
    if (own) return own;
    if (req.method === 'POST' && url.pathname === '/api/v1/custom-fields') {
      const made = { ...field('x', 'text'), ...(call.body as object), id: 'new', version: 1, retired: false } as CustomField;
      rows.push(made);
      return json(201, made);
    }
    const id = url.pathname.split('/')[4];
    const row = rows.find((r) => r.id === id);
    if (!row) return json(404, { title: 'Not found', status: 404 });
    if (req.method === 'GET') return json(200, row);
    if (req.method === 'PATCH') {
      Object.assign(row, call.body, { version: row.version + 1 });
      return json(200, row);
    }
    if (req.method === 'DELETE') {
      Object.assign(row, { retired: true, version: row.version + 1 });
      return json(204, null);
    }
    if (url.pathname.endsWith('/restore')) {
      Object.assign(row, { retired: false, version: row.version + 1 });
      return json(200, row);
    }
    return json(404, { title: 'Not found', status: 404 });
  }));
  return calls;
}

const rowOf = (key: string) => {
  const row = document.querySelector(`[data-field-key="${key}"]`);
  if (!(row instanceof HTMLElement)) throw new Error(`no row for ${key}`);
  return row;
};

afterEach(() => vi.unstubAllGlobals());

describe('CustomFieldsTab', () => {
  it('creates a select field with its options for the kind of record chosen', async () => {
    await i18n.changeLanguage('zh-CN');
    const calls = stubServer([{ ...level }]);
    const user = userEvent.setup();
    renderWithApp(<CustomFieldsTab />);

    await waitFor(() => expect(rowOf('level')).toHaveTextContent('客户级别'));
    expect(rowOf('level')).toHaveTextContent('单选');
    expect(rowOf('level')).toHaveTextContent('金牌');

    // another kind of record
    await user.click(within(screen.getByTestId('custom-field-entity').closest('.ant-select') as HTMLElement).getByRole('combobox'));
    await user.click(await screen.findByTitle('商机'));
    await waitFor(() => expect(screen.queryByTestId('custom-field-row')).not.toBeInTheDocument());

    await user.click(screen.getByTestId('custom-field-new'));
    await user.type(await screen.findByTestId('cf-def-label_zh'), '行业细分');
    await user.type(screen.getByTestId('cf-def-label_en'), 'Segment');
    await user.type(screen.getByTestId('cf-def-key'), 'segment');
    await user.click(within(screen.getByTestId('cf-def-type').closest('.ant-select') as HTMLElement).getByRole('combobox'));
    await user.click(await screen.findByTitle('单选'));

    // a choice field needs an option in use
    await user.click(await screen.findByTestId('cf-option-add'));
    await user.type(screen.getByTestId('cf-option-value-0'), 'retail');
    await user.type(screen.getByTestId('cf-option-label_zh-0'), '零售');
    await user.type(screen.getByTestId('cf-option-label_en-0'), 'Retail');
    await user.click(screen.getByTestId('cf-option-add'));
    await user.type(screen.getByTestId('cf-option-value-1'), 'mfg');
    await user.type(screen.getByTestId('cf-option-label_zh-1'), '制造');
    await user.type(screen.getByTestId('cf-option-label_en-1'), 'Manufacturing');
    // a new option may be removed again before saving
    await user.click(screen.getByTestId('cf-option-add'));
    expect(screen.getAllByTestId('custom-field-option-row')).toHaveLength(3);
    await user.click(screen.getByTestId('cf-option-remove-2'));
    expect(screen.getAllByTestId('custom-field-option-row')).toHaveLength(2);
    await user.click(screen.getByTestId('cf-def-required'));
    await user.click(screen.getByTestId('custom-field-save'));

    await waitFor(() => expect(calls.find((c) => c.method === 'POST')).toBeTruthy());
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({
      path: '/api/v1/custom-fields',
      body: {
        entity: 'opportunities', key: 'segment', label_zh: '行业细分', label_en: 'Segment', field_type: 'select', required: true,
        options: [
          { value: 'retail', label_zh: '零售', label_en: 'Retail', retired: false },
          { value: 'mfg', label_zh: '制造', label_en: 'Manufacturing', retired: false },
        ],
      },
    });
    expect((calls[0]?.body as Record<string, unknown>).default_value).toBeUndefined();
    await waitFor(() => expect(rowOf('segment')).toHaveTextContent('行业细分'));
  }, 60_000);

  it('shows a taken key next to the key', async () => {
    await i18n.changeLanguage('en');
    stubServer([], (c) =>
      c.method === 'POST' ? json(409, { type: '/problems/conflict', title: 'Conflict', status: 409, code: 'custom_field.key_taken', existing_id: 'cf1' }) : undefined,
    );
    const user = userEvent.setup();
    renderWithApp(<CustomFieldsTab />);
    await user.click(await screen.findByTestId('custom-field-new'));
    await user.type(await screen.findByTestId('cf-def-label_zh'), '级别');
    await user.type(screen.getByTestId('cf-def-label_en'), 'Level');
    await user.type(screen.getByTestId('cf-def-key'), 'level');
    await user.click(screen.getByTestId('custom-field-save'));
    const item = screen.getByTestId('cf-def-key').closest('.ant-form-item') as HTMLElement;
    await waitFor(() => expect(item).toHaveTextContent('already has a field with this key'));
  }, 30_000);

  it('edits with If-Match: a saved option can be retired and relabelled, never removed; key and type stay', async () => {
    await i18n.changeLanguage('en');
    const calls = stubServer([{ ...level, options: level.options.map((o) => ({ ...o })) }]);
    const user = userEvent.setup();
    renderWithApp(<CustomFieldsTab />);
    await waitFor(() => expect(rowOf('level')).toHaveTextContent('Customer level'));
    await user.click(within(rowOf('level')).getByTestId('custom-field-edit'));

    expect(await screen.findByTestId('cf-def-key')).toBeDisabled();
    expect(screen.getByTestId('cf-def-type').closest('.ant-select')).toHaveClass('ant-select-disabled');
    expect(screen.getByTestId('cf-option-value-0')).toBeDisabled();
    // saved options have no remove button
    expect(screen.queryByTestId('cf-option-remove-0')).not.toBeInTheDocument();
    expect(screen.queryByTestId('cf-option-remove-1')).not.toBeInTheDocument();

    await user.click(screen.getByTestId('cf-option-retired-1'));
    await user.clear(screen.getByTestId('cf-option-label_en-0'));
    await user.type(screen.getByTestId('cf-option-label_en-0'), 'Gold tier');
    await user.click(screen.getByTestId('cf-option-add'));
    await user.type(screen.getByTestId('cf-option-value-2'), 'bronze');
    await user.type(screen.getByTestId('cf-option-label_zh-2'), '铜牌');
    await user.type(screen.getByTestId('cf-option-label_en-2'), 'Bronze');
    await user.click(screen.getByTestId('custom-field-save'));

    await waitFor(() => expect(calls.find((c) => c.method === 'PATCH')).toBeTruthy());
    expect(calls.find((c) => c.method === 'PATCH')).toEqual({
      method: 'PATCH', path: '/api/v1/custom-fields/cf1', query: '', ifMatch: '"3"',
      body: {
        options: [
          { value: 'gold', label_zh: '金牌', label_en: 'Gold tier', retired: false },
          { value: 'silver', label_zh: '银牌', label_en: 'Silver', retired: true },
          { value: 'bronze', label_zh: '铜牌', label_en: 'Bronze', retired: false },
        ],
      },
    });
  }, 60_000);

  it('on 412 offers to reload the latest version', async () => {
    await i18n.changeLanguage('en');
    stubServer([{ ...level }], (c) => (c.method === 'PATCH' ? json(412, { type: '/problems/stale', title: 'Precondition failed', status: 412 }) : undefined));
    const user = userEvent.setup();
    renderWithApp(<CustomFieldsTab />);
    await waitFor(() => expect(rowOf('level')).toBeInTheDocument());
    await user.click(within(rowOf('level')).getByTestId('custom-field-edit'));
    await user.type(await screen.findByTestId('cf-def-help_en'), 'Set by sales');
    await user.click(screen.getByTestId('custom-field-save'));
    expect(await screen.findByTestId('stale-notice')).toBeInTheDocument();
  }, 30_000);

  it('shows an option the server says was removed next to the options', async () => {
    await i18n.changeLanguage('zh-CN');
    stubServer([{ ...level }], (c) =>
      c.method === 'PATCH'
        ? json(422, {
            type: '/problems/validation', title: 'Validation failed', status: 422, detail: 'Invalid fields',
            errors: [{ field: 'options', code: 'option_removed', message: 'option silver may be stored on records: retire it instead', params: { value: 'silver' } }],
          })
        : undefined,
    );
    const user = userEvent.setup();
    renderWithApp(<CustomFieldsTab />);
    await waitFor(() => expect(rowOf('level')).toBeInTheDocument());
    await user.click(within(rowOf('level')).getByTestId('custom-field-edit'));
    await user.type(await screen.findByTestId('cf-def-help_zh'), '销售填写');
    await user.click(screen.getByTestId('custom-field-save'));
    await waitFor(() => expect(screen.getByTestId('custom-field-options-editor').closest('.ant-form-item')).toHaveTextContent('选项 silver 可能已被记录使用，请改为停用'));
  }, 30_000);

  it('retires after confirmation and restores; retired fields show with the switch', async () => {
    await i18n.changeLanguage('zh-CN');
    const calls = stubServer([{ ...level }, { ...legacy }]);
    const user = userEvent.setup();
    renderWithApp(<CustomFieldsTab />);
    await waitFor(() => expect(rowOf('level')).toBeInTheDocument());
    expect(document.querySelector('[data-field-key="legacy_code"]')).toBeNull();

    await user.click(within(rowOf('level')).getByTestId('custom-field-retire'));
    await user.click(await screen.findByTestId('custom-field-retire-confirm'));
    await waitFor(() => expect(calls.find((c) => c.method === 'DELETE')).toMatchObject({ path: '/api/v1/custom-fields/cf1', ifMatch: '"3"' }));
    await waitFor(() => expect(document.querySelector('[data-field-key="level"]')).toBeNull());

    await user.click(screen.getByTestId('custom-field-show-retired'));
    await waitFor(() => expect(within(rowOf('legacy_code')).getByTestId('custom-field-retired')).toHaveTextContent('已停用'));
    expect(within(rowOf('level')).getByTestId('custom-field-retired')).toBeInTheDocument();
    await user.click(within(rowOf('legacy_code')).getByTestId('custom-field-restore'));
    await waitFor(() => expect(calls.find((c) => c.path.endsWith('/restore'))).toMatchObject({ method: 'POST', path: '/api/v1/custom-fields/cf2/restore' }));
    await waitFor(() => expect(within(rowOf('legacy_code')).queryByTestId('custom-field-retired')).toBeNull());
  }, 60_000);

  it('patches only what changed; a cleared default is null', () => {
    const f = { ...level, default_value: 'gold' as never, help_en: 'x' };
    const same = customFieldToForm(f);
    expect(customFieldPatch(f, same)).toEqual({});
    expect(customFieldPatch(f, { ...same, default_value: undefined, help_en: ' ' })).toEqual({ default_value: null, help_en: null });
  });
});
