import { describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Form, Input } from 'antd';
import i18n from '../i18n';
import { ProblemError } from '../api/problem';
import { renderWithApp } from '../test/render';
import { useFormProblem } from './formErrors';
import { FormPageCard, ProblemForm, SaveCancel } from './FormPage';

describe('a form page', () => {
  it('titles its card with the page heading and submits the form from "Save"', async () => {
    await act(() => i18n.changeLanguage('en'));
    const onFinish = vi.fn();
    const onCancel = vi.fn();
    renderWithApp(
      <FormPageCard title={<>Edit: T-42</>}>
        <Form onFinish={onFinish}>
          <SaveCancel saving={false} saveTestId="save" onCancel={onCancel} />
        </Form>
      </FormPageCard>,
    );
    expect(screen.getByRole('heading', { level: 4 })).toHaveTextContent('Edit: T-42');
    await userEvent.click(screen.getByTestId('save'));
    await waitFor(() => expect(onFinish).toHaveBeenCalledOnce());
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it('says "Save" and "Cancel" in the language shown', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    renderWithApp(<SaveCancel saving saveTestId="save" onCancel={() => undefined} />);
    expect(screen.getByTestId('save')).toHaveTextContent(/保\s*存/);
    expect(screen.getByRole('button', { name: /取\s*消/ })).toBeInTheDocument();
  });
});

function NameForm({ save }: { save: (v: { name: string }) => Promise<unknown> }) {
  const [form] = Form.useForm<{ name: string }>();
  const problem = useFormProblem(form, ['name']);
  return (
    <ProblemForm<{ name: string }> form={form} initialValues={{ name: 'Acme' }} problem={problem} onSave={save} notice={<p>newer version</p>} data-testid="name-form">
      <Form.Item name="name" label="Name">
        <Input data-testid="name" />
      </Form.Item>
      <SaveCancel saving={false} saveTestId="save" onCancel={() => undefined} />
    </ProblemForm>
  );
}

describe('a form that shows why the server refused it', () => {
  it('saves the values, and puts a refusal at its field and the rest below the notice', async () => {
    await act(() => i18n.changeLanguage('en'));
    const save = vi.fn(async () => {
      throw new ProblemError({ type: '/problems/validation', title: 'Validation failed', status: 422, detail: 'Check the fields',
        errors: [{ field: 'name', code: 'taken', message: 'name is taken' }, { field: 'region', code: 'unknown', message: 'no such region' }] });
    });
    renderWithApp(<NameForm save={save} />);
    await userEvent.click(screen.getByTestId('save'));
    await waitFor(() => expect(save).toHaveBeenCalledWith({ name: 'Acme' }));
    expect(await screen.findByText('name is taken')).toBeInTheDocument();
    const form = screen.getByTestId('name-form');
    expect(form.firstElementChild).toHaveTextContent('newer version');
    expect(form.firstElementChild?.nextElementSibling).toBe(screen.getByTestId('form-error'));
    expect(screen.getByTestId('form-error')).toHaveTextContent('no such region');
  });
});
