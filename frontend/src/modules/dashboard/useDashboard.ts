import { useQueries } from '@tanstack/react-query';
import { LIFECYCLE_STAGES, type LifecycleStage } from '../../api/types';
import { customerKeys, fetchCustomerCount } from '../customers/useCustomers';
import { organisationMonthStart, useOrganisationTimeZone } from '../../ui/organisationTime';

/** The first day of this month in the organisation's time zone, `YYYY-MM-DD`. */
export function useMonthStart(now = new Date()): string {
  return organisationMonthStart(useOrganisationTimeZone(), now);
}

/** Customer counts per lifecycle stage plus customers created this month: one count request each. */
export function useDashboardCounts(now = new Date()) {
  const monthStart = useMonthStart(now);
  const queries: Record<string, string>[] = [
    ...LIFECYCLE_STAGES.map((s) => ({ lifecycle_stage: s })),
    { created_at_from: monthStart },
  ];
  const results = useQueries({
    queries: queries.map((q) => ({ queryKey: customerKeys.count(q), queryFn: () => fetchCustomerCount(q) })),
  });
  const byStage = Object.fromEntries(LIFECYCLE_STAGES.map((s, i) => [s, results[i]?.data])) as Record<LifecycleStage, number | undefined>;
  return {
    byStage,
    monthStart,
    newThisMonth: results[LIFECYCLE_STAGES.length]?.data,
    isPending: results.some((r) => r.isPending),
    error: results.find((r) => r.isError)?.error ?? null,
    refetch: () => results.forEach((r) => void r.refetch()),
  };
}
