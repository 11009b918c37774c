import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../../i18n';
import { tokenStore } from '../../api/tokens';
import { adminMe, json, renderWithApp } from '../../test/render';
import { TimelinePanel } from './TimelinePanel';

const entry = (id: string, kind: string, title: string, summary: Record<string, unknown>) => ({
  id, kind, occurred_at: '2026-03-01T02:00:00Z', entity_type: kind, entity_id: id, title, summary, actor_id: 'u1', actor_name: 'Admin',
});

afterEach(() => vi.unstubAllGlobals());

describe('TimelinePanel', () => {
  it('renders each kind, unknown ones generically, filters by kind and loads more by cursor', async () => {
    await i18n.changeLanguage('en');
    tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
    const seen: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/auth/me') return json(200, adminMe);
      if (url.pathname === '/api/v1/customers/c1/timeline') {
        seen.push(url.search);
        if (url.searchParams.get('kind') === 'task') {
          return json(200, { data: [entry('t1', 'task', 'Send quote', { status: 'open', priority: 'high', due_at: '2026-03-03T02:00:00Z' })], next_cursor: null });
        }
        if (url.searchParams.get('cursor') === 'p2') {
          return json(200, {
            data: [
              entry('o1', 'opportunity', 'Big deal', {
                stage_key: 'won', stage_name: 'Won', stage_kind: 'won', amount: { amount_minor: 1234567, currency: 'CNY' },
                expected_close_date: '2026-04-01', owner_name: 'Li Lei',
              }),
              entry('x1', 'ticket', 'T-000001 Printer jams', { number: 'T-000001', status: 'in_progress', breached: true, assignee_name: '刘洋' }),
              entry('r1', 'requirement', 'Requirement 0045', {}),
            ],
            next_cursor: null,
          });
        }
        return json(200, {
          data: [
            entry('i1', 'interaction', 'Intro call', { channel: 'phone', direction: 'outbound', outcome: 'interested' }),
            entry('s1', 'stage_change', 'prospect', { from_stage: 'potential', to_stage: 'prospect' }),
            entry('k1', 'contact', 'Contact', { action: 'created', name: '张伟' }),
          ],
          next_cursor: 'p2',
        });
      }
      return json(200, { data: [], next_cursor: null });
    }));
    const user = userEvent.setup();
    renderWithApp(<TimelinePanel customerId="c1" />);
    expect(await screen.findByText('Intro call')).toBeInTheDocument();
    expect(screen.getByText('Phone · Outbound · interested')).toBeInTheDocument();
    expect(screen.getByText('Potential → Prospect')).toBeInTheDocument();
    // a stage change is headed by the stage's name, not its key
    expect(screen.queryByText('prospect')).toBeNull();
    expect(screen.getByText('Prospect')).toBeInTheDocument();
    expect(screen.getByText('Contact 张伟 added')).toBeInTheDocument();

    await user.click(screen.getByTestId('timeline-more'));
    expect(await screen.findByText('Big deal')).toBeInTheDocument();
    // an opportunity: its stage (coloured by kind), amount per locale, close date and owner; the title links to it
    expect(screen.getByTestId('timeline-opportunity-stage')).toHaveTextContent('Won');
    expect(screen.getByTestId('timeline-opportunity-stage')).toHaveAttribute('data-stage-kind', 'won');
    expect(screen.getByText('CN¥12,345.67')).toBeInTheDocument();
    expect(screen.getByText('Owner: Li Lei')).toBeInTheDocument();
    expect(screen.getByTestId('timeline-opportunity-link')).toHaveAttribute('href', '/sales/opportunities/o1');
    // a ticket: its status, a breach and the assignee; the title links to it
    expect(screen.getByTestId('timeline-ticket-link')).toHaveAttribute('href', '/service/tickets/x1');
    expect(screen.getByTestId('timeline-ticket-status')).toHaveTextContent('In progress');
    expect(screen.getByText('breached')).toBeInTheDocument();
    expect(screen.getByText('Assignee: 刘洋')).toBeInTheDocument();
    // kinds this version does not know show their title generically
    expect(screen.getByText('Requirement 0045')).toBeInTheDocument();
    expect(screen.getByText('Event')).toBeInTheDocument();
    expect(screen.getAllByTestId('timeline-item')).toHaveLength(6);
    expect(seen).toContain('?limit=20&cursor=p2');

    await user.click(screen.getByTestId('timeline-kind-task'));
    expect(await screen.findByText('Send quote')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('timeline-item')).toHaveLength(1));
    expect(screen.getByTestId('priority-tag')).toHaveTextContent('High');
    expect(seen).toContain('?limit=20&kind=task');
  }, 30_000);
});
