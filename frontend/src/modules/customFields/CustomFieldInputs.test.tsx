import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Form } from 'antd';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import type { CustomField } from '../../api/types';
import { adminMe, json, renderWithApp } from '../../test/render';
import { CustomFieldInputs } from './CustomFieldInputs';
import { CustomFieldValues } from './CustomFieldValues';
import { field } from './fixtures.test-utils';
import { customFieldsForCreate, customFieldsPatch, customFieldsToForm, type StoredValues } from './values';

const OPTIONS = [
  { value: 'north', label_zh: '华北', label_en: 'North', retired: false },
  { value: 'south', label_zh: '华南', label_en: 'South', retired: false },
  { value: 'old', label_zh: '旧区', label_en: 'Old', retired: true },
];

const fields: CustomField[] = [
  field('note', 'text', { label_en: 'Note', label_zh: '备注', help_en: 'Anything worth knowing', help_zh: '值得记下的事' }),
  field('employees', 'number', { label_en: 'Employees', label_zh: '员工数' }),
  field('budget', 'money', { label_en: 'Budget', label_zh: '预算', required: true }),
  field('signed_on', 'date', { label_en: 'Signed on', label_zh: '签约日' }),
  field('vip', 'bool', { label_en: 'VIP', label_zh: '重点' }),
  field('region', 'select', { label_en: 'Region', label_zh: '区域', options: OPTIONS }),
  field('channels', 'multiselect', { label_en: 'Channels', label_zh: '渠道', options: OPTIONS }),
  field('manager', 'user', { label_en: 'Manager', label_zh: '客户经理' }),
  field('legacy', 'text', { label_en: 'Legacy code', label_zh: '旧编码', retired: true }),
];

const users = [
  { id: 'u1', email: 'admin@example.com', display_name: 'Admin', active: true },
  { id: 'u2', email: 'li.na@example.com', display_name: '李娜', active: true },
];

function stubApi() {
  tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
    if (url.pathname === '/api/v1/users') return json(200, { data: users, next_cursor: null });
    if (url.pathname === '/api/v1/custom-fields') return json(200, { data: fields, next_cursor: null });
    return json(404, { title: 'Not found', status: 404 });
  }));
}

/** A record form with the custom fields only: what it submits goes to `onSubmit` as the API would get it. */
function Harness({ mode, stored, onSubmit }: { mode: 'create' | 'edit'; stored?: StoredValues; onSubmit: (body: StoredValues) => void }) {
  const [form] = Form.useForm<{ custom_fields: StoredValues }>();
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{ custom_fields: customFieldsToForm(fields, mode === 'edit' ? (stored ?? {}) : null) }}
      onFinish={(v) => onSubmit(mode === 'edit' ? customFieldsPatch(fields, stored, v.custom_fields) : customFieldsForCreate(fields, v.custom_fields))}
    >
      <CustomFieldInputs fields={fields} mode={mode} stored={stored} />
      <button type="submit" data-testid="submit">go</button>
    </Form>
  );
}

const itemOf = (testId: string) => {
  const el = screen.getByTestId(testId).closest('.ant-form-item');
  if (!(el instanceof HTMLElement)) throw new Error(`no form item around ${testId}`);
  return el;
};

async function pick(user: ReturnType<typeof userEvent.setup>, testId: string, option: string) {
  const select = screen.getByTestId(testId);
  await user.click(within(itemOf(testId)).getByRole('combobox'));
  // an earlier dropdown stays in the page, hidden: the one just opened is the last
  const found = await screen.findAllByTitle(option, {}, { timeout: 5000 });
  await user.click(found[found.length - 1]!);
  return select;
}

afterEach(() => vi.unstubAllGlobals());

describe('CustomFieldInputs', () => {
  it('gives each type its input and converts what is typed: 元 to 分, a day to YYYY-MM-DD; retired fields are not offered on create', async () => {
    await i18n.changeLanguage('en');
    stubApi();
    const onSubmit = vi.fn();
    const user = userEvent.setup();
    renderWithApp(<Harness mode="create" onSubmit={onSubmit} />);

    expect(await screen.findByTestId('cf-note')).toBeInTheDocument();
    expect(screen.queryByText('Legacy code')).not.toBeInTheDocument();
    expect(itemOf('cf-note')).toHaveTextContent('Anything worth knowing');

    // the money field is required
    await user.click(screen.getByTestId('submit'));
    await waitFor(() => expect(within(itemOf('cf-budget')).getByText('Required')).toBeInTheDocument());
    expect(onSubmit).not.toHaveBeenCalled();

    await user.type(screen.getByTestId('cf-note'), ' Met at the fair ');
    await user.type(within(itemOf('cf-employees')).getByRole('spinbutton'), '250');
    await user.type(screen.getByTestId('cf-budget'), '12345.67');
    const date = within(itemOf('cf-signed_on')).getByRole('textbox');
    await user.click(date);
    await user.type(date, '2026-03-05{Enter}');
    await user.click(screen.getByTestId('cf-vip'));
    await pick(user, 'cf-region', 'South');
    await pick(user, 'cf-channels', 'North');
    await pick(user, 'cf-channels', 'South');
    await user.keyboard('{Escape}');
    // a retired option is not offered
    expect(screen.queryByTitle('Old')).not.toBeInTheDocument();
    await pick(user, 'cf-manager', '李娜 (li.na@example.com)');
    await user.click(screen.getByTestId('submit'));

    // (Enter in the date box already submitted the form once, before the rest was picked)
    await waitFor(() => expect(onSubmit.mock.lastCall?.[0]).toHaveProperty('manager'));
    expect(onSubmit.mock.lastCall?.[0]).toEqual({
      note: 'Met at the fair', employees: 250, budget: 1234567, signed_on: '2026-03-05', vip: true, region: 'south', channels: ['north', 'south'], manager: 'u2',
    });
  }, 60_000);

  it('on edit shows the stored values (分 as 元), a retired field read-only, and sends only what changed with null for a cleared field', async () => {
    await i18n.changeLanguage('zh-CN');
    stubApi();
    const onSubmit = vi.fn();
    const user = userEvent.setup();
    const stored = { note: '老客户', budget: 500000, signed_on: '2026-01-02', vip: true, region: 'old', legacy: 'A-17' };
    renderWithApp(<Harness mode="edit" stored={stored} onSubmit={onSubmit} />);

    expect(await screen.findByTestId<HTMLInputElement>('cf-budget')).toHaveValue('5000.00');
    expect(screen.getByTestId('cf-readonly-legacy')).toHaveTextContent('A-17');
    expect(itemOf('cf-readonly-legacy')).toHaveTextContent('已停用');
    // the record's retired option stays shown, as it is
    expect(itemOf('cf-region')).toHaveTextContent('旧区');

    await user.clear(screen.getByTestId('cf-note'));
    await user.clear(screen.getByTestId('cf-budget'));
    await user.type(screen.getByTestId('cf-budget'), '6000.5');
    await user.click(screen.getByTestId('submit'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]?.[0]).toEqual({ note: null, budget: 600050 });
  }, 60_000);
});

describe('CustomFieldValues', () => {
  it('shows option labels, money in 元, dates, yes/no and user names in the language shown; a retired field with a value marked retired', async () => {
    await i18n.changeLanguage('zh-CN');
    stubApi();
    const values = { note: '老客户', employees: 1200, budget: 1234567, signed_on: '2026-03-05', vip: false, region: 'north', channels: ['north', 'old'], manager: 'u2', legacy: 'A-17' };
    const view = renderWithApp(<CustomFieldValues entity="customers" values={values} />);
    expect(await screen.findByTestId('cf-value-budget')).toHaveTextContent('¥12,345.67');
    expect(screen.getByTestId('cf-value-region')).toHaveTextContent('华北');
    expect(screen.getByTestId('cf-value-channels')).toHaveTextContent('华北、旧区');
    expect(screen.getByTestId('cf-value-vip')).toHaveTextContent('否');
    expect(screen.getByTestId('cf-value-signed_on')).toHaveTextContent('2026年3月5日');
    expect(screen.getByTestId('cf-value-employees')).toHaveTextContent('1,200');
    await waitFor(() => expect(screen.getByTestId('cf-value-manager')).toHaveTextContent('李娜'));
    expect(screen.getByTestId('cf-value-legacy')).toHaveTextContent('A-17');
    expect(screen.getByTestId('cf-retired-legacy')).toHaveTextContent('已停用');
    expect(screen.getByTestId('custom-field-values')).toHaveTextContent('区域');

    await i18n.changeLanguage('en');
    await waitFor(() => expect(screen.getByTestId('cf-value-region')).toHaveTextContent('North'));
    expect(screen.getByTestId('cf-value-vip')).toHaveTextContent('No');
    expect(screen.getByTestId('custom-field-values')).toHaveTextContent('Region');
    view.unmount();

    // a retired field without a value is not listed
    renderWithApp(<CustomFieldValues entity="customers" values={{ note: 'x' }} />);
    expect(await screen.findByTestId('cf-value-note')).toBeInTheDocument();
    expect(screen.queryByTestId('cf-value-legacy')).not.toBeInTheDocument();
  }, 30_000);
});
