import { useQueries } from '@tanstack/react-query';
import { LIFECYCLE_STAGES, type LifecycleStage } from '../../api/types';
import { customerKeys, fetchCustomerCount } from '../customers/useCustomers';

/** The first day of the month of `now`, as `YYYY-MM-DD` in local time. */
export function monthStart(now: Date): string {
  const m = String(now.getMonth() + 1).padStart(2, '0');
  return `${now.getFullYear()}-${m}-01`;
}

/** Customer counts per lifecycle stage plus customers created this month: one count request each. */
export function useDashboardCounts(now = new Date()) {
  const queries: Record<string, string>[] = [
    ...LIFECYCLE_STAGES.map((s) => ({ lifecycle_stage: s })),
    { created_at_from: monthStart(now) },
  ];
  const results = useQueries({
    queries: queries.map((q) => ({ queryKey: customerKeys.count(q), queryFn: () => fetchCustomerCount(q) })),
  });
  const byStage = Object.fromEntries(LIFECYCLE_STAGES.map((s, i) => [s, results[i]?.data])) as Record<LifecycleStage, number | undefined>;
  return {
    byStage,
    newThisMonth: results[LIFECYCLE_STAGES.length]?.data,
    isPending: results.some((r) => r.isPending),
    error: results.find((r) => r.isError)?.error ?? null,
    refetch: () => results.forEach((r) => void r.refetch()),
  };
}
