import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import i18n from '../../i18n';
import { problemFromResponse } from '../../api/problem';
import type { Customer } from '../../api/types';
import { CustomerForm, toCreateBody, toFormValues, toUpdatePatch, type CustomerFormValues } from './CustomerForm';

function problem422(errors: { field: string; code: string; message: string }[]) {
  return problemFromResponse(
    new Response(JSON.stringify({ type: '/problems/validation', title: 'Validation failed', status: 422, detail: `${errors.length} fields are invalid`, errors }), {
      status: 422,
      headers: { 'Content-Type': 'application/problem+json' },
    }),
  );
}

function renderForm(onSubmit: (v: unknown) => Promise<unknown>, initial?: CustomerFormValues) {
  const qc = new QueryClient();
  return render(
    <QueryClientProvider client={qc}>
      <CustomerForm mode={initial ? 'edit' : 'create'} initial={initial} submitting={false} onSubmit={onSubmit} onCancel={() => undefined} />
    </QueryClientProvider>,
  );
}

function formItemOf(testId: string): HTMLElement {
  const el = screen.getByTestId(testId).closest('.ant-form-item');
  if (!(el instanceof HTMLElement)) throw new Error(`no form item around ${testId}`);
  return el;
}

describe('CustomerForm', () => {
  it('shows problem+json field errors next to their fields and the rest above the form', async () => {
    await i18n.changeLanguage('en');
    const error = await problem422([
      { field: 'phone', code: 'phone', message: 'not a valid phone number' },
      { field: 'email', code: 'email', message: 'not a valid email' },
      { field: 'custom_fields.size', code: 'unknown', message: 'no such custom field' },
    ]);
    const onSubmit = vi.fn().mockRejectedValueOnce(error).mockResolvedValueOnce(undefined);
    const user = userEvent.setup();
    renderForm(onSubmit);

    await user.type(screen.getByTestId('customer-name'), '上海示例科技有限公司');
    await user.type(screen.getByTestId('customer-phone'), '12345');
    await user.click(screen.getByTestId('customer-save'));

    // the SPA's own sentences for the codes it knows
    await waitFor(() => expect(within(formItemOf('customer-phone')).getByText(/^Enter a valid phone number/)).toBeInTheDocument());
    expect(within(formItemOf('customer-email')).getByText('Enter a valid email address')).toBeInTheDocument();
    expect(screen.getByTestId('form-error')).toHaveTextContent('custom_fields.size: no such custom field');
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit.mock.calls[0]?.[0]).toMatchObject({ name: '上海示例科技有限公司', phone: '12345', kind: 'company', lifecycle_stage: 'potential' });

    // fixing the field and saving again submits and clears the messages
    await user.clear(screen.getByTestId('customer-phone'));
    await user.type(screen.getByTestId('customer-phone'), '13800138000');
    await user.click(screen.getByTestId('customer-save'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId('form-error')).toBeNull();
  }, 30_000);

  it("shows the refusal of a field the form does not show for the kind above the form, not beside an input that is not there", async () => {
    await i18n.changeLanguage('zh-CN');
    // an individual with an identity document made a company: the server keeps the document and refuses
    const error = await problem422([{ field: 'id_number', code: 'not_for_kind', message: '只有个人客户才有身份证件' }]);
    const onSubmit = vi.fn().mockRejectedValueOnce(error);
    const user = userEvent.setup();
    renderForm(onSubmit, { ...toFormValues(person), kind: 'company' });
    expect(screen.queryByTestId('customer-id_number')).toBeNull();
    await user.click(screen.getByTestId('customer-save'));
    await waitFor(() => expect(screen.getByTestId('form-error')).toHaveTextContent('只有个人客户才有身份证件'));
  }, 30_000);

  it('validates the required name before calling the server', async () => {
    await i18n.changeLanguage('en');
    const onSubmit = vi.fn();
    const user = userEvent.setup();
    renderForm(onSubmit);
    await user.click(screen.getByTestId('customer-save'));
    await waitFor(() => expect(within(formItemOf('customer-name')).getByText('Required')).toBeInTheDocument());
    expect(onSubmit).not.toHaveBeenCalled();
  });
});

const base: Customer = {
  id: 'c1', kind: 'company', name: 'ACME', industry: 'IT', size_band: null, province: '上海市', city: '上海市', district: '浦东新区',
  address: null, phone: '+8613800138000', email: null, website: null, credit_code: null, source_channel: 'website',
  lifecycle_stage: 'prospect', value_tier: 'a', tags: ['vip'], custom_fields: {}, gender: null, birthday: null, preferences: null,
  notes: null, owner_id: 'u1', owner_name: 'Owner', team_id: null, team_name: null, created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z', version: 7, order_count: 0, total_spend_minor: 0, external_ids: {}, masked: [],
};

/** An individual with an identity document and a bank account, seen in clear. */
const person: Customer = {
  ...base, kind: 'individual', name: '张伟', gender: 'male', id_type: 'id_card', id_number: '11010519491231002X', bank_name: '招商银行',
  bank_account: '6222021234567890123',
};

describe('region and industry', () => {
  it('show a stored region and industry the lists do not know, and keep them unchanged', async () => {
    await i18n.changeLanguage('zh-CN');
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    const user = userEvent.setup();
    const stored = { ...base, province: '四川省', city: '成都市', district: '高新区', industry: '人工智能' };
    renderForm(onSubmit, toFormValues(stored));
    await waitFor(() => expect(formItemOf('customer-region')).toHaveTextContent('四川省 / 成都市 / 高新区'));
    expect(formItemOf('customer-industry')).toHaveTextContent('人工智能');
    await user.click(screen.getByTestId('customer-save'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(toUpdatePatch(stored, onSubmit.mock.calls[0]?.[0] as CustomerFormValues)).toEqual({});
  }, 30_000);

  it('picks an industry from the list in the UI language and stores its Chinese name', async () => {
    await i18n.changeLanguage('en');
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    const user = userEvent.setup();
    renderForm(onSubmit, toFormValues(base));
    await user.click(within(formItemOf('customer-industry')).getByRole('combobox'));
    await user.click(await screen.findByText('Manufacturing'));
    await user.click(screen.getByTestId('customer-save'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(toUpdatePatch(base, onSubmit.mock.calls[0]?.[0] as CustomerFormValues)).toEqual({ industry: '制造业' });
  }, 30_000);

  it('sends the region a person picks as province, city and district', () => {
    const values = { ...toFormValues(base), region: ['广东省', '东莞市'] };
    expect(toUpdatePatch(base, values)).toEqual({ province: '广东省', city: '东莞市', district: null });
  });
});

describe('customer form values', () => {
  it('patches only what changed (merge patch)', () => {
    const values = { ...toFormValues(base), name: 'ACME 2', address: '  ', tags: ['vip', 'new'] };
    expect(toUpdatePatch(base, values)).toEqual({ name: 'ACME 2', tags: ['vip', 'new'] });
    expect(toUpdatePatch(base, { ...toFormValues(base), industry: '' })).toEqual({ industry: null });
  });

  it('shows the stored phone as people write it and leaves it out of the patch until it changes', () => {
    expect(toFormValues(base).phone).toBe('138 0013 8000');
    expect(toUpdatePatch(base, toFormValues(base))).toEqual({});
    expect(toUpdatePatch(base, { ...toFormValues(base), phone: '021-6200 0999' })).toEqual({ phone: '021-6200 0999' });
  });

  it('sends an identity document for individuals only; a bank account for every customer', () => {
    expect(toUpdatePatch(person, toFormValues(person))).toEqual({});
    expect(toUpdatePatch(person, { ...toFormValues(person), id_type: 'passport', id_number: ' E12345678 ' })).toEqual({ id_type: 'passport', id_number: 'E12345678' });
    // made a company, the individual-only fields are left alone (the server says whether that may be)
    expect(toUpdatePatch(person, { ...toFormValues(person), kind: 'company', bank_account: '' })).toEqual({ kind: 'company', bank_account: null });
    expect(toCreateBody({ kind: 'company', name: 'X', id_type: 'id_card', id_number: '11010519491231002X', bank_name: '工商银行', tags: [] }))
      .toEqual({ kind: 'company', name: 'X', bank_name: '工商银行', tags: [] });
  });

  it('never patches a masked identity or account number, whatever the form holds', () => {
    const masked: Customer = { ...person, id_number: '110***********002X', bank_account: '***************0123', masked: ['id_number', 'bank_account'] };
    const values = { ...toFormValues(masked), id_number: '110***********0021', bank_account: '', id_type: 'other' as const };
    expect(toFormValues(masked).id_number).toBe('110***********002X');
    expect(toUpdatePatch(masked, values)).toEqual({ id_type: 'other' });
  });

  it('leaves empty optional fields out of a create body', () => {
    expect(toCreateBody({ kind: 'company', name: ' X ', phone: '', tags: [] })).toEqual({ kind: 'company', name: 'X', tags: [] });
  });
});
