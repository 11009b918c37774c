import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { adminMe, json, renderWithApp } from '../../test/render';
import { EditCustomFieldsButton } from './CustomFieldsDialog';
import { field } from './fixtures.test-utils';

afterEach(() => vi.unstubAllGlobals());

describe('EditCustomFieldsButton', () => {
  it('edits a record’s custom fields in a dialog and sends only the changed keys, cleared ones as null', async () => {
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const fields = [
      field('cause', 'text', { entity: 'tickets', label_zh: '故障原因', label_en: 'Cause' }),
      field('hours', 'number', { entity: 'tickets', label_zh: '工时', label_en: 'Hours' }),
    ];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/custom-fields') return json(200, { data: fields, next_cursor: null });
      return json(200, { data: [], next_cursor: null });
    }));
    const save = vi.fn().mockResolvedValue(undefined);
    const user = userEvent.setup();
    renderWithApp(<EditCustomFieldsButton entity="tickets" values={{ cause: '主轴磨损', hours: 2 }} save={save} />);

    await user.click(await screen.findByTestId('edit-custom-fields'));
    expect(screen.getByTestId('edit-custom-fields')).toHaveTextContent('编辑自定义字段');
    const cause = await screen.findByTestId<HTMLInputElement>('cf-cause');
    expect(cause.value).toBe('主轴磨损');
    await user.clear(cause);
    await user.click(screen.getByTestId('custom-fields-save'));
    await waitFor(() => expect(save).toHaveBeenCalledWith({ cause: null }));
  }, 30_000);
});
