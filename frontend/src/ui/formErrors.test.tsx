import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Button, Form, Input } from 'antd';
import i18n from '../i18n';
import { ProblemError } from '../api/problem';
import { fieldPath, mapFieldErrors, useFormProblem } from './formErrors';

describe('problem field errors', () => {
  it('splits a field name into a form path', () => {
    expect(fieldPath('phone')).toEqual(['phone']);
    expect(fieldPath('contacts[0].email')).toEqual(['contacts', 0, 'email']);
    expect(fieldPath('/tags/2')).toEqual(['tags', 2]);
  });

  it('puts known fields next to the field and the rest above the form', () => {
    const phone = { field: 'phone', code: 'phone', message: 'not a valid phone' };
    const long = { field: 'phone', code: 'length', message: 'too long' };
    const tag = { field: 'tags[1]', code: 'length', message: 'tag too long' };
    const mystery = { field: 'mystery', code: 'x', message: 'unknown thing' };
    const mapped = mapFieldErrors([phone, long, tag, mystery], ['phone', 'tags']);
    expect(mapped.fields).toEqual([
      { name: ['phone'], errors: [phone, long] },
      { name: ['tags', 1], errors: [tag] },
    ]);
    expect(mapped.other).toEqual([mystery]);
  });

  it('maps server fields the form edits under another name, or inside a body key', () => {
    const city = { field: 'city', code: 'too_long', message: 'too long' };
    const urgency = { field: 'weights.urgency', code: 'range', message: '0 to 10' };
    expect(mapFieldErrors([city], ['region'], [], { province: 'region', city: 'region' }).fields).toEqual([{ name: ['region'], errors: [city] }]);
    expect(mapFieldErrors([urgency], ['urgency'], [], { weights: '' }).fields).toEqual([{ name: ['urgency'], errors: [urgency] }]);
  });
});

const refused = new ProblemError({
  type: '/problems/validation',
  title: 'Validation failed',
  status: 422,
  code: 'validation',
  detail: '2 fields are invalid',
  errors: [
    { field: 'name', code: 'too_long', message: 'at most 200 characters', params: { max: 200 } },
    { field: 'region', code: 'choice', message: 'not a region' },
  ],
});

function Harness({ error }: { error: unknown }) {
  const [form] = Form.useForm();
  const problem = useFormProblem(form, ['name', 'email']);
  return (
    <Form form={form}>
      {problem.alert}
      <Form.Item name="name" label="name">
        <Input data-testid="name" />
      </Form.Item>
      <Form.Item name="email" label="email" rules={[{ type: 'email' }]}>
        <Input data-testid="email" />
      </Form.Item>
      <Button onClick={() => problem.show(error)} data-testid="fail">fail</Button>
    </Form>
  );
}

describe('useFormProblem', () => {
  it('shows field errors by their code, re-renders them in a new language and clears them when the field changes', async () => {
    await i18n.changeLanguage('zh-CN');
    const user = userEvent.setup();
    render(<Harness error={refused} />);
    await user.click(screen.getByTestId('fail'));
    expect(await screen.findByText('最多 200 个字符')).toBeInTheDocument();
    // the field the form does not have is named above it
    expect(screen.getByTestId('form-error')).toHaveTextContent('region: 请从列表中选择');

    await act(() => i18n.changeLanguage('en'));
    expect(await screen.findByText('At most 200 characters')).toBeInTheDocument();
    expect(screen.getByTestId('form-error')).toHaveTextContent('region: Pick a value from the list');

    await user.type(screen.getByTestId('name'), 'x');
    await waitFor(() => expect(screen.queryByText('At most 200 characters')).toBeNull());
  });

  it('shows an error that is not a problem above the form', async () => {
    await i18n.changeLanguage('zh-CN');
    const user = userEvent.setup();
    render(<Harness error={new TypeError('Failed to fetch')} />);
    await user.click(screen.getByTestId('fail'));
    expect(await screen.findByTestId('form-error')).toHaveTextContent('无法连接服务器。');
  });
});

const skuTaken = new ProblemError({ type: '/problems/conflict', title: 'Conflict', status: 409, code: 'product.sku_taken', detail: 'taken' });

function Submitting({ save }: { save: (v: { name?: string }) => Promise<unknown> }) {
  const [form] = Form.useForm<{ name?: string }>();
  const problem = useFormProblem(form, ['name'], { fieldCodes: { 'product.sku_taken': { field: 'name', text: 'That one is taken' } } });
  const [touched, setTouched] = useState<boolean | null>(null);
  return (
    <>
      <Form form={form}>
        {problem.alert}
        <Form.Item name="name" label="name" rules={[{ required: true, message: 'Say a name' }]}>
          <Input data-testid="name" />
        </Form.Item>
      </Form>
      <Button onClick={() => void problem.submit(save)} data-testid="save">save</Button>
      <Button
        onClick={() => {
          problem.reset({ name: 'again' });
          setTouched(form.isFieldsTouched());
        }}
        data-testid="reset"
      >
        reset
      </Button>
      <span data-testid="touched">{String(touched)}</span>
    </>
  );
}

describe('useFormProblem: submitting', () => {
  it('does not save values the rules refuse, and shows a failed save until the next attempt', async () => {
    await i18n.changeLanguage('en');
    const user = userEvent.setup();
    const save = vi.fn<(v: { name?: string }) => Promise<unknown>>().mockRejectedValueOnce(new TypeError('Failed to fetch')).mockResolvedValue(undefined);
    render(<Submitting save={save} />);
    await user.click(screen.getByTestId('save'));
    expect(await screen.findByText('Say a name')).toBeInTheDocument();
    expect(save).not.toHaveBeenCalled();

    await user.type(screen.getByTestId('name'), 'Ada');
    await user.click(screen.getByTestId('save'));
    expect(await screen.findByTestId('form-error')).toBeInTheDocument();
    expect(save).toHaveBeenLastCalledWith({ name: 'Ada' });

    await user.click(screen.getByTestId('save'));
    await waitFor(() => expect(screen.queryByTestId('form-error')).toBeNull());
    expect(save).toHaveBeenCalledTimes(2);
  });

  it('puts a code that stands for a field next to that field, not above the form', async () => {
    await i18n.changeLanguage('en');
    const user = userEvent.setup();
    render(<Submitting save={() => Promise.reject(skuTaken)} />);
    await user.type(screen.getByTestId('name'), 'X-1');
    await user.click(screen.getByTestId('save'));
    expect(await screen.findByText('That one is taken')).toBeInTheDocument();
    expect(screen.queryByTestId('form-error')).toBeNull();
  });

  it('starts over with values of its own, untouched, and without the last failure', async () => {
    await i18n.changeLanguage('en');
    const user = userEvent.setup();
    render(<Submitting save={() => Promise.reject(new TypeError('Failed to fetch'))} />);
    await user.type(screen.getByTestId('name'), 'Ada');
    await user.click(screen.getByTestId('save'));
    expect(await screen.findByTestId('form-error')).toBeInTheDocument();
    await user.click(screen.getByTestId('reset'));
    await waitFor(() => expect(screen.queryByTestId('form-error')).toBeNull());
    expect(screen.getByTestId('name')).toHaveValue('again');
    expect(screen.getByTestId('touched')).toHaveTextContent('false');
  });
});

function Finishing({ save }: { save: (v: { name?: string }) => Promise<unknown> }) {
  const [form] = Form.useForm<{ name?: string }>();
  const problem = useFormProblem(form, ['name']);
  return (
    <Form form={form} {...problem.submitProps(save)}>
      {problem.alert}
      <Form.Item name="name" label="name" rules={[{ required: true, message: 'Say a name' }]}>
        <Input data-testid="name" />
      </Form.Item>
      <Button htmlType="submit" data-testid="submit">submit</Button>
    </Form>
  );
}

describe('useFormProblem: a form submitted by antd', () => {
  it('saves valid values, shows a failure, and forgets it when the rules refuse the next attempt', async () => {
    await i18n.changeLanguage('en');
    const user = userEvent.setup();
    const save = vi.fn<(v: { name?: string }) => Promise<unknown>>().mockRejectedValue(new TypeError('Failed to fetch'));
    render(<Finishing save={save} />);
    await user.type(screen.getByTestId('name'), 'Ada');
    await user.click(screen.getByTestId('submit'));
    expect(await screen.findByTestId('form-error')).toBeInTheDocument();
    expect(save).toHaveBeenCalledWith({ name: 'Ada' });

    await user.clear(screen.getByTestId('name'));
    await user.click(screen.getByTestId('submit'));
    expect(await screen.findByText('Say a name')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('form-error')).toBeNull());
    expect(save).toHaveBeenCalledOnce();
  });
});
