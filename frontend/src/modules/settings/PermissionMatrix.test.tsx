import { describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { renderWithApp } from '../../test/render';
import { completeMatrix, PermissionMatrix, type Matrix } from './PermissionMatrix';

const stored = completeMatrix({ customers: { read: 'team', create: 'own', update: 'own', delete: 'none', export: 'none' } });

function piiRow() {
  const row = screen.getByTestId('perm-pii-read').closest('tr');
  if (!(row instanceof HTMLElement)) throw new Error('no row for personal data');
  return row;
}

describe('PermissionMatrix', () => {
  it('has a personal data row with its help, where only the read scope is chosen', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    const user = userEvent.setup();
    const onChange = vi.fn<(m: Matrix) => void>();
    renderWithApp(<PermissionMatrix value={stored} onChange={onChange} />);

    // a role stored before personal data existed has none of it
    expect(stored.pii).toEqual({ read: 'none', create: 'none', update: 'none', delete: 'none', export: 'none' });
    const row = piiRow();
    expect(row).toHaveTextContent('个人信息');
    expect(within(row).getByTestId('perm-pii-help')).toHaveTextContent('决定手机号、邮箱、微信、地址、生日、证件号码、银行账号是否明文显示');
    for (const action of ['create', 'update', 'delete', 'export']) {
      const cell = within(row).getByTestId(`perm-pii-${action}`);
      expect(cell).toHaveTextContent('—');
      expect(cell.closest('.ant-select')).toBeNull();
    }
    // other resources keep every action
    expect(screen.getByTestId('perm-customers-create').closest('.ant-select')).not.toBeNull();

    await user.click(within(within(row).getByTestId('perm-pii-read')).getByRole('combobox'));
    // the option in the open list, not the chosen value of another row
    await waitFor(() => expect(document.querySelector('.ant-select-item-option[title="本团队"]')).not.toBeNull());
    await user.click(document.querySelector('.ant-select-item-option[title="本团队"]') as HTMLElement);
    await waitFor(() => expect(onChange).toHaveBeenCalledOnce());
    const changed = onChange.mock.calls[0]![0];
    expect(changed.pii).toEqual({ read: 'team', create: 'none', update: 'none', delete: 'none', export: 'none' });
    expect(changed.customers).toEqual(stored.customers);
  });

  it('read-only (a built-in role) shows the read scope and nothing for the rest', async () => {
    await act(() => i18n.changeLanguage('en'));
    renderWithApp(<PermissionMatrix value={completeMatrix({ pii: { read: 'own', create: 'all', update: 'all', delete: 'all', export: 'all' } })} readOnly />);
    const row = piiRow();
    expect(row).toHaveTextContent('Personal data');
    expect(within(row).getByTestId('perm-pii-help')).toHaveTextContent('Decides whether phones, emails, WeChat ids, addresses, birthdays, ID document numbers and bank account numbers show in clear');
    expect(within(row).getByTestId('perm-pii-read')).toHaveTextContent('Own');
    expect(within(row).getByTestId('perm-pii-export')).toHaveTextContent('—');
  });
});
