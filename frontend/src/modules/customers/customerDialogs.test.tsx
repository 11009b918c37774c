import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Button } from 'antd';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { adminMe, json, renderWithApp } from '../../test/render';
import { InteractionModal } from '../activities/InteractionForm';
import { TaskModal } from '../activities/TaskForm';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

/** The customer page's two dialogs as CustomerShow mounts them: 记录沟通 first, 新建任务 after it. */
function CustomerDialogs() {
  const [logging, setLogging] = useState(false);
  const [tasking, setTasking] = useState(false);
  return (
    <>
      <Button onClick={() => setLogging(true)} data-testid="log">log</Button>
      <Button onClick={() => setTasking(true)} data-testid="task">task</Button>
      <span data-testid="state">{`${logging ? 'logging' : ''}${tasking ? 'tasking' : ''}`}</span>
      <InteractionModal open={logging} customerId="c1" onClose={() => setLogging(false)} />
      <TaskModal open={tasking} customerId="c1" onClose={() => setTasking(false)} />
    </>
  );
}

describe("the customer page's dialogs", () => {
  // antd keeps one page-wide stack of open dialogs and hands Esc to the last one in it. A dialog kept
  // rendered while hidden (forceRender) joined it when it mounted, not when it opened, so the hidden
  // task dialog, mounted after the interaction dialog, took every Esc meant for it. And a dialog that
  // filled itself on opening (a new "now") counted as typed into, so Esc asked before closing it.
  it('Esc closes the dialog that is open, whichever was mounted last, and asks first once text is typed', async () => {
    // Under NODE_ENV=test antd's ids are all 'test-id', so its Esc stack holds one entry at most and
    // cannot show the order the browser sees; the ids are real in any other mode.
    vi.stubEnv('NODE_ENV', 'development');
    await i18n.changeLanguage('zh-CN');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    renderWithApp(<CustomerDialogs />);

    await user.click(screen.getByTestId('log'));
    await waitFor(() => expect(screen.getByTestId('state')).toHaveTextContent('logging'));
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.getByTestId('state')).toHaveTextContent(/^$/));

    await user.click(screen.getByTestId('task'));
    await waitFor(() => expect(screen.getByTestId('state')).toHaveTextContent('tasking'));
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.getByTestId('state')).toHaveTextContent(/^$/));

    // typed text is not thrown away without asking
    await user.click(screen.getByTestId('log'));
    await user.type(await screen.findByTestId('interaction-subject'), '报价跟进');
    await user.keyboard('{Escape}');
    await user.click(await screen.findByTestId('discard-confirm'));
    await waitFor(() => expect(screen.getByTestId('state')).toHaveTextContent(/^$/));
  }, 20_000);
});
