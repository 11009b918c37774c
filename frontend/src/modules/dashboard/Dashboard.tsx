import { useMemo } from 'react';
import { Card, Col, Row, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { can } from '../../app/permissions';
import { LIFECYCLE_STAGES } from '../../api/types';
import { formatNumber } from '../../i18n/format';
import { EChart } from '../../ui/EChart';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { useDashboardCounts } from './useDashboard';

const STAGE_COLORS = ['#bfbfbf', '#1677ff', '#52c41a', '#ff4d4f'];

export default function Dashboard() {
  const { t } = useTranslation();
  const me = useMe().data;
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>{t('dashboard.welcome', { name: me?.display_name ?? '' })}</Typography.Title>
      </div>
      {can(me, 'customers', 'read') ? <CustomerCounts /> : <Typography.Paragraph>{t('dashboard.nothing')}</Typography.Paragraph>}
    </div>
  );
}

function CustomerCounts() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const counts = useDashboardCounts();
  const total = LIFECYCLE_STAGES.reduce((sum, s) => sum + (counts.byStage[s] ?? 0), 0);

  const barOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      xAxis: { type: 'category', data: LIFECYCLE_STAGES.map((s) => t(`stage.${s}`)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: t('dashboard.customers'),
          data: LIFECYCLE_STAGES.map((s, i) => ({ value: counts.byStage[s] ?? 0, itemStyle: { color: STAGE_COLORS[i] } })),
          barMaxWidth: 56,
        },
      ],
    }),
    [t, counts.byStage],
  );
  const pieOption = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['40%', '68%'],
          data: LIFECYCLE_STAGES.map((s, i) => ({ name: t(`stage.${s}`), value: counts.byStage[s] ?? 0, itemStyle: { color: STAGE_COLORS[i] } })),
        },
      ],
    }),
    [t, counts.byStage],
  );

  if (counts.error) return <ErrorResult error={counts.error} onRetry={counts.refetch} />;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={12} md={8} lg={4}>
        <Card>
          <Statistic title={t('dashboard.totalCustomers')} value={formatNumber(total, lang)} loading={counts.isPending} />
        </Card>
      </Col>
      <Col xs={12} md={8} lg={4}>
        <Card data-testid="stat-new-this-month">
          <Link to={`/customers?created_at_from=${counts.monthStart}`}>
            <Statistic title={t('dashboard.newThisMonth')} value={formatNumber(counts.newThisMonth ?? 0, lang)} loading={counts.isPending} />
          </Link>
        </Card>
      </Col>
      {LIFECYCLE_STAGES.map((s) => (
        <Col xs={12} md={8} lg={4} key={s}>
          <Card data-testid={`stat-stage-${s}`}>
            <Link to={`/customers?lifecycle_stage=${s}`}>
              <Statistic title={t(`stage.${s}`)} value={formatNumber(counts.byStage[s] ?? 0, lang)} loading={counts.isPending} />
            </Link>
          </Card>
        </Col>
      ))}
      <Col xs={24} lg={14}>
        <Card title={t('dashboard.byStage')}>
          <EChart option={barOption} testId="chart-by-stage" />
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <Card title={t('dashboard.stageShare')}>
          <EChart option={pieOption} testId="chart-stage-share" />
        </Card>
      </Col>
    </Row>
  );
}
