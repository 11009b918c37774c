import { useMemo } from 'react';
import { Card, Col, Row, Spin, Statistic, Table } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Requirement, RequirementsReport } from '../../api/types';
import { formatNumber } from '../../i18n/format';
import { EChart } from '../../ui/EChart';
import { ErrorResult } from '../../ui/ErrorResult';
import { RequirementStatusTag, ScoreBadge } from './labels';
import { useRequirementsReport } from './useRequirements';

type Counts = RequirementsReport['by_status'];

/** A bar chart of counts per key, keys shown through `label`. */
export function countsOption(rows: Counts, label: (key: string) => string) {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 16, top: 16, bottom: 48 },
    xAxis: { type: 'category', data: rows.map((r) => label(r.key)), axisLabel: { interval: 0, rotate: rows.length > 5 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: rows.map((r) => r.count), barMaxWidth: 40 }],
  };
}

function label(t: TFunction, prefix: string) {
  return (key: string) => (t(`${prefix}.${key}`, { defaultValue: key }));
}

/** The requirements report (`/requirements/reports`): counts by status, category and source; days to delivery; the top ones. */
export default function Report() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const report = useRequirementsReport();
  const data = report.data;
  const charts = useMemo(
    () =>
      data && {
        status: countsOption(data.by_status, label(t, 'requirementStatus')),
        category: countsOption(data.by_category, label(t, 'requirementCategory')),
        source: countsOption(data.by_source, label(t, 'requirementSource')),
      },
    [data, t],
  );
  if (report.isPending) return <Spin />;
  if (report.isError) return <ErrorResult error={report.error} onRetry={() => void report.refetch()} />;
  const d = report.data;
  const topColumns = (extra: 'requester_count' | 'score') => [
    { title: t('requirement.number'), key: 'number', render: (_: unknown, x: Requirement) => <Link to={`/requirements/${x.id}`}>{x.number}</Link> },
    { title: t('requirement.titleField'), key: 'title', dataIndex: 'title', ellipsis: true },
    { title: t('requirement.status'), key: 'status', render: (_: unknown, x: Requirement) => <RequirementStatusTag status={x.status} /> },
    extra === 'score'
      ? { title: t('requirement.score'), key: 'score', render: (_: unknown, x: Requirement) => <ScoreBadge score={x.score} /> }
      : { title: t('requirement.requesters'), key: 'requester_count', render: (_: unknown, x: Requirement) => formatNumber(x.requester_count, lang) },
  ];
  return (
    <Row gutter={[16, 16]} data-testid="requirement-report">
      <Col xs={12} md={8}><Card size="small"><Statistic title={t('requirement.report.total')} value={d.total} valueRender={() => <span data-testid="report-total">{formatNumber(d.total, lang)}</span>} /></Card></Col>
      <Col xs={12} md={8}><Card size="small"><Statistic title={t('requirement.report.delivered')} value={d.delivered_count} valueRender={() => <span data-testid="report-delivered">{formatNumber(d.delivered_count, lang)}</span>} /></Card></Col>
      <Col xs={24} md={8}>
        <Card size="small">
          <Statistic
            title={t('requirement.report.averageDays')}
            value={d.average_days_to_delivery ?? 0}
            valueRender={() => (
              <span data-testid="report-average-days">
                {d.average_days_to_delivery === null || d.average_days_to_delivery === undefined ? '—' : t('report.days', { n: formatNumber(Math.round(d.average_days_to_delivery * 10) / 10, lang) })}
              </span>
            )}
          />
        </Card>
      </Col>
      {charts && (
        <>
          <Col xs={24} lg={8}><Card size="small" title={t('requirement.report.byStatus')}><EChart option={charts.status} height={260} testId="report-by-status" /></Card></Col>
          <Col xs={24} lg={8}><Card size="small" title={t('requirement.report.byCategory')}><EChart option={charts.category} height={260} testId="report-by-category" /></Card></Col>
          <Col xs={24} lg={8}><Card size="small" title={t('requirement.report.bySource')}><EChart option={charts.source} height={260} testId="report-by-source" /></Card></Col>
        </>
      )}
      <Col xs={24} lg={12}>
        <Card size="small" title={t('requirement.report.topByDemand')}>
          <Table<Requirement> rowKey="id" size="small" pagination={false} dataSource={d.top_by_demand} columns={topColumns('requester_count')} data-testid="report-top-demand" />
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card size="small" title={t('requirement.report.topByScore')}>
          <Table<Requirement> rowKey="id" size="small" pagination={false} dataSource={d.top_by_score} columns={topColumns('score')} data-testid="report-top-score" />
        </Card>
      </Col>
    </Row>
  );
}
