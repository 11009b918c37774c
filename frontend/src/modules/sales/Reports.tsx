import { useMemo } from 'react';
import { Card, Col, DatePicker, Empty, Row, Select, Space, Spin, Statistic, Table, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

import { CURRENCIES, GROUP_BYS, PERIODS, type ForecastRow, type FunnelStep, type Measures, type ReportRow } from '../../api/types';
import { formatMoney, formatNumber } from '../../i18n/format';
import { EChart } from '../../ui/EChart';
import { ErrorResult } from '../../ui/ErrorResult';
import { pickPipeline, usePipelines } from './usePipelines';
import { parseReportParams, reportParamsToSearch, useForecast, useFunnel, useSalesReport, type ReportParams } from './useReports';
import { useUrlFilters } from '../../ui/useUrlFilters';
import { FullTable } from '../../ui/FullTable';
import { enumOptions } from '../../ui/useOptions';

type Figure = Measures['revenue_minor'];
type OptionalFigure = Measures['win_rate'];

/** A growth ratio as "+12.5%" / "−3%", or "—" when there was nothing before. */
export function formatGrowth(g: number | null | undefined, locale: string): string {
  if (g === null || g === undefined || !Number.isFinite(g)) return '—';
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  return pct.format(g);
}

function Growth({ label, value, locale }: { label: string; value: number | null | undefined; locale: string }) {
  const up = (value ?? 0) > 0;
  const down = (value ?? 0) < 0;
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
      {label}{' '}
      <span style={{ color: up ? '#3f8600' : down ? '#cf1322' : undefined }}>
        {up && <ArrowUpOutlined />}
        {down && <ArrowDownOutlined />} {formatGrowth(value, locale)}
      </span>
    </Typography.Text>
  );
}

function FigureCard({ title, figure, show, testId }: { title: string; figure: Figure | OptionalFigure; show: (v: number | null | undefined) => string; testId: string }) {
  const { t, i18n } = useTranslation();
  return (
    <Card size="small">
      <Statistic title={title} value={show(figure.value)} valueRender={() => <span data-testid={testId}>{show(figure.value)}</span>} />
      <Growth label={t('report.vsPrevious')} value={figure.growth} locale={i18n.language} />
      <Growth label={t('report.vsYearAgo')} value={figure.year_growth} locale={i18n.language} />
    </Card>
  );
}

function measureFormatters(t: TFunction, lang: string, currency: string) {
  const money = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatMoney({ amount_minor: v, currency }, lang));
  const count = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatNumber(v, lang));
  const pct = (v: number | null | undefined) =>
    v === null || v === undefined ? '—' : new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(v);
  const days = (v: number | null | undefined) => (v === null || v === undefined ? '—' : t('report.days', { n: formatNumber(Math.round(v * 10) / 10, lang) }));
  return { money, count, pct, days };
}

function SalesReportCard({ p, update }: { p: ReportParams; update: (patch: Partial<ReportParams>) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const report = useSalesReport(p);
  const f = measureFormatters(t, lang, p.currency);
  const data = report.data;
  const option = useMemo(
    () =>
      data && {
        tooltip: { trigger: 'axis' },
        legend: { bottom: 0 },
        grid: { left: 72, right: 48, top: 24, bottom: 56 },
        xAxis: { type: 'category', data: data.rows.map((r) => r.label), axisLabel: { interval: 0, rotate: data.rows.length > 6 ? 30 : 0 } },
        yAxis: [
          { type: 'value', name: p.currency, axisLabel: { formatter: (v: number) => formatNumber(v / 100, lang) } },
          { type: 'value', minInterval: 1 },
        ],
        series: [
          { type: 'bar', name: t('report.revenue'), data: data.rows.map((r) => r.measures.revenue_minor.value), barMaxWidth: 48, tooltip: { valueFormatter: (v: number) => f.money(v) } },
          { type: 'line', name: t('report.orders'), yAxisIndex: 1, data: data.rows.map((r) => r.measures.order_count.value) },
        ],
      },
    [data, p.currency, lang, t, f],
  );
  const range: [dayjs.Dayjs, dayjs.Dayjs] | null = data ? [dayjs(data.from), dayjs(data.to)] : null;

  return (
    <Card title={t('report.sales')} data-testid="sales-report">
      <div className="filter-bar">
        <DatePicker.RangePicker
          value={range}
          onChange={(v) => update({ from: v?.[0]?.format('YYYY-MM-DD') ?? undefined, to: v?.[1]?.format('YYYY-MM-DD') ?? undefined })}
          data-testid="report-range"
        />
        <Select
          value={p.group_by}
          onChange={(group_by) => update({ group_by })}
          options={GROUP_BYS.map((g) => ({ value: g, label: `${t('report.groupBy')}: ${t(`report.group.${g}`)}` }))}
          style={{ width: 180 }}
          data-testid="report-group-by"
        />
        {p.group_by === 'period' && (
          <Select value={p.period} onChange={(period) => update({ period })} options={enumOptions(t, PERIODS, 'report.period')} style={{ width: 120 }} data-testid="report-period" />
        )}
        <Select value={p.currency} onChange={(currency: string) => update({ currency })} options={CURRENCIES.map((c) => ({ value: c, label: c }))} style={{ width: 100 }} aria-label={t('money.currency')} data-testid="report-currency" />
      </div>
      {report.isError && !data ? (
        <ErrorResult error={report.error} onRetry={() => void report.refetch()} />
      ) : !data ? (
        <Spin />
      ) : (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Row gutter={[12, 12]}>
            <Col xs={12} md={8} xl={4}><FigureCard title={t('report.revenue')} figure={data.total.revenue_minor} show={f.money} testId="report-revenue" /></Col>
            <Col xs={12} md={8} xl={4}><FigureCard title={t('report.orders')} figure={data.total.order_count} show={f.count} testId="report-orders" /></Col>
            <Col xs={12} md={8} xl={4}><FigureCard title={t('report.won')} figure={data.total.won_opportunities} show={f.count} testId="report-won" /></Col>
            <Col xs={12} md={8} xl={4}><FigureCard title={t('report.winRate')} figure={data.total.win_rate} show={f.pct} testId="report-win-rate" /></Col>
            <Col xs={12} md={8} xl={4}><FigureCard title={t('report.dealSize')} figure={data.total.average_deal_size_minor} show={f.money} testId="report-deal-size" /></Col>
            <Col xs={12} md={8} xl={4}><FigureCard title={t('report.cycle')} figure={data.total.average_cycle_days} show={f.days} testId="report-cycle" /></Col>
          </Row>
          {data.rows.length === 0 ? (
            <Empty description={t('report.empty')} />
          ) : (
            <>
              {option && <EChart option={option} height={300} testId="report-chart" />}
              <FullTable<ReportRow>
                size="small"
                rowKey="key"
                dataSource={data.rows}
                data-testid="report-table"
                columns={[
                  { title: t(`report.group.${data.group_by}`), dataIndex: 'label', key: 'label' },
                  { title: t('report.revenue'), key: 'revenue', align: 'right' as const, render: (_: unknown, r: ReportRow) => f.money(r.measures.revenue_minor.value) },
                  { title: t('report.vsPrevious'), key: 'growth', align: 'right' as const, render: (_: unknown, r: ReportRow) => formatGrowth(r.measures.revenue_minor.growth, lang) },
                  { title: t('report.vsYearAgo'), key: 'year', align: 'right' as const, render: (_: unknown, r: ReportRow) => formatGrowth(r.measures.revenue_minor.year_growth, lang) },
                  { title: t('report.orders'), key: 'orders', align: 'right' as const, render: (_: unknown, r: ReportRow) => f.count(r.measures.order_count.value) },
                  { title: t('report.won'), key: 'won', align: 'right' as const, render: (_: unknown, r: ReportRow) => f.count(r.measures.won_opportunities.value) },
                  { title: t('report.winRate'), key: 'rate', align: 'right' as const, render: (_: unknown, r: ReportRow) => f.pct(r.measures.win_rate.value) },
                  { title: t('report.dealSize'), key: 'size', align: 'right' as const, render: (_: unknown, r: ReportRow) => f.money(r.measures.average_deal_size_minor.value) },
                  { title: t('report.cycle'), key: 'cycle', align: 'right' as const, render: (_: unknown, r: ReportRow) => f.days(r.measures.average_cycle_days.value) },
                ]}
              />
            </>
          )}
        </Space>
      )}
    </Card>
  );
}

function FunnelCard({ p }: { p: ReportParams }) {
  const { t, i18n } = useTranslation();
  const funnel = useFunnel(p);
  const steps = useMemo(() => funnel.data ?? [], [funnel.data]);
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      series: [{ type: 'funnel', sort: 'none', left: '10%', width: '80%', minSize: '8%', label: { position: 'inside', formatter: '{b}: {c}' }, data: steps.map((s) => ({ name: s.name, value: s.reached })) }],
    }),
    [steps],
  );
  return (
    <Card title={t('report.funnel')} data-testid="funnel-report">
      {funnel.isError && !funnel.data ? (
        <ErrorResult error={funnel.error} onRetry={() => void funnel.refetch()} />
      ) : funnel.isPending ? (
        <Spin />
      ) : steps.length === 0 ? (
        <Empty />
      ) : (
        <>
          <EChart option={option} height={260} testId="funnel-chart" />
          <Table<FunnelStep>
            size="small"
            rowKey="stage_id"
            pagination={false}
            dataSource={steps}
            data-testid="funnel-table"
            columns={[
              { title: t('opportunity.stage'), dataIndex: 'name', key: 'name' },
              { title: t('report.reached'), dataIndex: 'reached', key: 'reached', align: 'right' as const },
              {
                title: t('report.conversion'),
                key: 'conversion',
                align: 'right' as const,
                render: (_: unknown, s: FunnelStep) =>
                  s.conversion === null || s.conversion === undefined ? '—' : new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 1 }).format(s.conversion),
              },
            ]}
          />
        </>
      )}
    </Card>
  );
}

function ForecastCard({ p }: { p: ReportParams }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const forecast = useForecast(p.pipeline_id);
  const rows = (forecast.data ?? []).filter((r) => r.currency === p.currency);
  const month = (m: string) => (m === 'unscheduled' ? t('report.unscheduled') : m);
  const money = (v: number) => formatMoney({ amount_minor: v, currency: p.currency }, lang);
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 72, right: 16, top: 24, bottom: 48 },
      xAxis: { type: 'category', data: rows.map((r) => month(r.month)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatNumber(v / 100, lang) } },
      series: [
        { type: 'bar', name: t('report.pipelineAmount'), data: rows.map((r) => r.amount_minor), barMaxWidth: 40 },
        { type: 'bar', name: t('report.weighted'), data: rows.map((r) => r.weighted_minor), barMaxWidth: 40 },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [forecast.data, p.currency, lang, t],
  );
  return (
    <Card title={t('report.forecast')} data-testid="forecast-report">
      {forecast.isError && !forecast.data ? (
        <ErrorResult error={forecast.error} onRetry={() => void forecast.refetch()} />
      ) : forecast.isPending ? (
        <Spin />
      ) : rows.length === 0 ? (
        <Empty description={t('report.noOpenDeals')} />
      ) : (
        <>
          <EChart option={option} height={260} testId="forecast-chart" />
          <Table<ForecastRow>
            size="small"
            rowKey={(r) => `${r.month}-${r.currency}`}
            pagination={false}
            dataSource={rows}
            data-testid="forecast-table"
            columns={[
              { title: t('report.month'), key: 'month', render: (_: unknown, r: ForecastRow) => month(r.month) },
              { title: t('report.deals'), dataIndex: 'count', key: 'count', align: 'right' as const },
              { title: t('report.pipelineAmount'), key: 'amount', align: 'right' as const, render: (_: unknown, r: ForecastRow) => money(r.amount_minor) },
              { title: t('report.weighted'), key: 'weighted', align: 'right' as const, render: (_: unknown, r: ForecastRow) => money(r.weighted_minor) },
            ]}
          />
        </>
      )}
    </Card>
  );
}

/** Sales reports, the stage funnel and the weighted forecast; the choices live in the URL. */
export default function Reports() {
  const { t } = useTranslation();
  const { filters: p, update } = useUrlFilters(parseReportParams, reportParamsToSearch);
  const pipelines = usePipelines();
  const pipeline = pickPipeline(pipelines.data, p.pipeline_id);
  const withPipeline = { ...p, pipeline_id: pipeline?.id };
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <SalesReportCard p={p} update={update} />
      <div className="filter-bar">
        <Select
          value={pipeline?.id}
          onChange={(id: string) => update({ pipeline_id: id })}
          options={(pipelines.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
          style={{ width: 220 }}
          aria-label={t('board.pipeline')}
          data-testid="report-pipeline"
        />
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}><FunnelCard p={withPipeline} /></Col>
        <Col xs={24} lg={12}><ForecastCard p={withPipeline} /></Col>
      </Row>
    </Space>
  );
}
