import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '@testing-library/react';
import { tokenStore } from '../api/tokens';
import { createQueryClient } from '../app/queryClient';
import { meKey } from '../modules/auth/useSession';
import { parseReportParams, useFunnel, useSalesReport } from '../modules/sales/useReports';
import { adminMe, json, renderWithApp } from '../test/render';
import { funnelRange, organisationMonthStart, organisationToday, organisationTomorrowAt, salesReportRange } from './organisationTime';

// 01:14 on 3 December in Shanghai; still 2 December in UTC and in New York
const AT_01_14_SHANGHAI = new Date('2026-12-02T17:14:00Z');

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(AT_01_14_SHANGHAI);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the organisation’s days', () => {
  it('at 17:14 UTC today is already the next day in Shanghai', () => {
    expect(organisationToday('Asia/Shanghai')).toBe('2026-12-03');
    expect(organisationToday('UTC')).toBe('2026-12-02');
    expect(organisationMonthStart('Asia/Shanghai', new Date('2026-11-30T16:00:00Z'))).toBe('2026-12-01');
  });

  it('default report ranges end on the organisation’s today; chosen days are kept', () => {
    expect(salesReportRange('Asia/Shanghai')).toEqual({ from: '2026-12-01', to: '2026-12-03' });
    expect(salesReportRange('Asia/Shanghai', { from: '2026-11-15', to: '2026-11-20' })).toEqual({ from: '2026-11-15', to: '2026-11-20' });
    expect(funnelRange('Asia/Shanghai')).toEqual({ from: '2025-12-03', to: '2026-12-03' });
  });

  it('an unknown zone name falls back to the server default instead of throwing', () => {
    expect(organisationToday('Nowhere/Atlantis')).toBe('2026-12-03');
    expect(organisationTomorrowAt('Nowhere/Atlantis', 10).toISOString()).toBe('2026-12-04T02:00:00.000Z');
  });

  it('tomorrow at an hour is the organisation’s tomorrow at that hour in its zone', () => {
    expect(organisationTomorrowAt('Asia/Shanghai', 10).toISOString()).toBe('2026-12-04T02:00:00.000Z');
    expect(organisationTomorrowAt('America/New_York', 10).toISOString()).toBe('2026-12-03T15:00:00.000Z');
    expect(organisationTomorrowAt('UTC', 9, new Date('2026-12-31T23:30:00Z')).toISOString()).toBe('2027-01-01T09:00:00.000Z');
  });
});

function ReportProbe() {
  const p = parseReportParams(new URLSearchParams());
  useSalesReport(p);
  useFunnel(p);
  return null;
}

async function reportQueriesFor(timeZone: string): Promise<URLSearchParams[]> {
  tokenStore.set({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 });
  const seen: URL[] = [];
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    seen.push(url);
    if (url.pathname === '/api/v1/auth/me') return json(200, { ...adminMe, time_zone: timeZone });
    return json(200, url.pathname.endsWith('/funnel') ? [] : { rows: [] });
  }));
  const client = createQueryClient();
  client.setQueryData(meKey, { ...adminMe, time_zone: timeZone });
  renderWithApp(<ReportProbe />, { client });
  await waitFor(() => expect(seen.filter((u) => u.pathname.startsWith('/api/v1/reports/'))).toHaveLength(2));
  const sales = seen.find((u) => u.pathname === '/api/v1/reports/sales')!;
  const funnel = seen.find((u) => u.pathname === '/api/v1/reports/funnel')!;
  return [sales.searchParams, funnel.searchParams];
}

describe('reports without a chosen range', () => {
  it('ask for this month up to today in the zone /auth/me gives', async () => {
    const [sales, funnel] = await reportQueriesFor('Asia/Shanghai');
    expect([sales!.get('from'), sales!.get('to')]).toEqual(['2026-12-01', '2026-12-03']);
    expect([funnel!.get('from'), funnel!.get('to')]).toEqual(['2025-12-03', '2026-12-03']);
  });

  it('follow another organisation zone', async () => {
    const [sales] = await reportQueriesFor('America/New_York');
    expect([sales!.get('from'), sales!.get('to')]).toEqual(['2026-12-01', '2026-12-02']);
  });
});
