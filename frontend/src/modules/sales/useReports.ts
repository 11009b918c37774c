import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, must } from '../../api/client';
import { GROUP_BYS, PERIODS, type GroupBy, type Period } from '../../api/types';
import { funnelRange, salesReportRange, useOrganisationTimeZone, type DayRange } from '../../ui/organisationTime';

/** The reports page's choices, kept in the URL. */
export interface ReportParams {
  from?: string;
  to?: string;
  group_by: GroupBy;
  period: Period;
  currency: string;
  pipeline_id?: string;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function parseReportParams(search: URLSearchParams): ReportParams {
  const p: ReportParams = { group_by: 'period', period: 'month', currency: 'CNY' };
  const from = search.get('from');
  if (from && DATE_RE.test(from)) p.from = from;
  const to = search.get('to');
  if (to && DATE_RE.test(to)) p.to = to;
  const g = search.get('group_by');
  if (g && (GROUP_BYS as readonly string[]).includes(g)) p.group_by = g as GroupBy;
  const period = search.get('period');
  if (period && (PERIODS as readonly string[]).includes(period)) p.period = period as Period;
  const currency = search.get('currency');
  if (currency && /^[A-Z]{3}$/.test(currency)) p.currency = currency;
  const pipeline = search.get('pipeline_id');
  if (pipeline) p.pipeline_id = pipeline;
  return p;
}

export function reportParamsToSearch(p: ReportParams): URLSearchParams {
  const out = new URLSearchParams();
  if (p.from) out.set('from', p.from);
  if (p.to) out.set('to', p.to);
  if (p.group_by !== 'period') out.set('group_by', p.group_by);
  if (p.period !== 'month') out.set('period', p.period);
  if (p.currency !== 'CNY') out.set('currency', p.currency);
  if (p.pipeline_id) out.set('pipeline_id', p.pipeline_id);
  return out;
}

export const reportKeys = {
  all: ['reports'] as const,
  sales: (p: ReportParams, r: DayRange) => ['reports', 'sales', r.from, r.to, p.group_by, p.period, p.currency] as const,
  funnel: (p: ReportParams, r: DayRange) => ['reports', 'funnel', p.pipeline_id, r.from, r.to] as const,
  forecast: (pipelineId: string | undefined) => ['reports', 'forecast', pipelineId] as const,
};

/**
 * Revenue, orders, won deals, win rate, deal size and cycle, grouped, each with growth. Without a
 * chosen range: this month up to today in the organisation's time zone, not the browser's.
 */
export function useSalesReport(p: ReportParams) {
  const range = salesReportRange(useOrganisationTimeZone(), p);
  return useQuery({
    queryKey: reportKeys.sales(p, range),
    placeholderData: keepPreviousData,
    queryFn: async () =>
      must(
        await api.GET('/api/v1/reports/sales', {
          params: {
            query: {
              group_by: p.group_by,
              currency: p.currency,
              ...(p.group_by === 'period' ? { period: p.period } : {}),
              from: range.from,
              to: range.to,
            },
          },
        }),
      ),
  });
}

/** How many opportunities reached each stage, and the conversion from the step before. */
export function useFunnel(p: ReportParams) {
  const range = funnelRange(useOrganisationTimeZone(), p);
  return useQuery({
    queryKey: reportKeys.funnel(p, range),
    placeholderData: keepPreviousData,
    queryFn: async () =>
      must(
        await api.GET('/api/v1/reports/funnel', {
          params: { query: { ...(p.pipeline_id ? { pipeline_id: p.pipeline_id } : {}), from: range.from, to: range.to } },
        }),
      ),
  });
}

/** The weighted open pipeline by expected close month. */
export function useForecast(pipelineId: string | undefined) {
  return useQuery({
    queryKey: reportKeys.forecast(pipelineId),
    placeholderData: keepPreviousData,
    queryFn: async () => must(await api.GET('/api/v1/reports/forecast', { params: { query: pipelineId ? { pipeline_id: pipelineId } : {} } })),
  });
}
