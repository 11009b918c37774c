import { vi } from 'vitest';
import type { Requirement } from '../../api/types';
import { tokenStore } from '../../api/tokens';
import { adminMe, json } from '../../test/render';

export const full = { read: 'all', create: 'all', update: 'all', delete: 'all', export: 'all' };
export const me = { ...adminMe, permissions: { ...adminMe.permissions, requirements: full } };

export function requirement(over: Partial<Requirement> = {}): Requirement {
  return {
    id: 'r1', number: 'REQ-000001', title: 'Export customers to Excel', description: null, category: 'functional', source_channel: 'feedback',
    importance: 3, urgency: 3, effort: 3, status: 'collected', owner_id: null, owner_name: null, team_id: null, created_by: 'u1',
    department: null, target_date: null, release: null, tags: [], score: 8, requester_count: 1, feedback_count: 0, feedback_average: null,
    rejection_reason: null, duplicate_of_id: null, delivered_at: null, evaluated_at: null, created_at: '2026-03-01T00:00:00Z',
    updated_at: '2026-03-01T00:00:00Z', version: 1, ...over,
  } as Requirement;
}

export type Handler = (req: Request, url: URL) => Response | undefined | Promise<Response | undefined>;

/** Signs in and answers the API with `handler`, falling back to the signed-in user and empty pages. */
export function stubApi(handler: Handler) {
  tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
  const fetchMock = vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const answer = await handler(req, url);
    if (answer) return answer;
    if (url.pathname === '/api/v1/auth/me') return json(200, me);
    if (url.pathname === '/api/v1/users') return json(200, { data: [{ id: 'u2', email: 'li@example.com', display_name: 'Li Ming', active: true }], next_cursor: null });
    return json(200, { data: [], next_cursor: null });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}
