import { useMemo } from 'react';
import { App, Button, Card, Col, Empty, Row, Space, Spin, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { can } from '../../app/permissions';
import { REQUIREMENT_STATUSES, type Release, type Requirement, type RequirementStatus } from '../../api/types';
import { formatDate, formatNumber } from '../../i18n/format';
import { CursorTable } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { emptyRequirementFilters } from './filters';
import { REQUIREMENT_STATUS_COLORS } from './labels';
import { useRequirementColumns } from './RequirementList';
import { useExportDocument, useReleases, useRequirementList } from './useRequirements';

/** The release view (`/requirements/releases`): each release's requirements by status; one chosen (`?release=`) lists them and exports its document. */
export default function Releases() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const releases = useReleases();
  const chosen = params.get('release') ?? undefined;
  if (releases.isPending) return <Spin />;
  if (releases.isError) return <ErrorResult error={releases.error} onRetry={() => void releases.refetch()} />;
  if (releases.data.length === 0) return <Empty description={t('requirement.noReleases')} />;
  const count = (r: Release, s: RequirementStatus) => r.by_status[s] ?? 0;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={9}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          {releases.data.map((r) => (
            <Card
              key={r.release}
              size="small"
              hoverable
              onClick={() => setParams({ release: r.release }, { replace: true })}
              style={r.release === chosen ? { borderColor: '#1677ff' } : undefined}
              data-testid="release-card"
              data-release={r.release}
              title={r.release}
              extra={<span>{t('requirement.releaseTotal', { count: r.total })}</span>}
            >
              <Space size={[4, 4]} wrap>
                {REQUIREMENT_STATUSES.filter((s) => count(r, s) > 0).map((s) => (
                  <Tag key={s} color={REQUIREMENT_STATUS_COLORS[s]}>{t(`requirementStatus.${s}`)} {formatNumber(count(r, s), i18n.language)}</Tag>
                ))}
              </Space>
              {(r.earliest_target || r.latest_target) && (
                <Typography.Paragraph type="secondary" style={{ margin: '6px 0 0', fontSize: 12 }}>
                  {t('requirement.targets', { from: formatDate(r.earliest_target ?? null, i18n.language), to: formatDate(r.latest_target ?? null, i18n.language) })}
                </Typography.Paragraph>
              )}
            </Card>
          ))}
        </Space>
      </Col>
      <Col xs={24} lg={15}>{chosen ? <ReleaseRequirements release={chosen} /> : <Empty description={t('requirement.pickRelease')} />}</Col>
    </Row>
  );
}

function ReleaseRequirements({ release }: { release: string }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const { message } = App.useApp();
  const filters = useMemo(() => ({ ...emptyRequirementFilters(), release }), [release]);
  const list = useRequirementList(filters);
  const columns = useRequirementColumns().filter((c) => c.key !== 'release');
  const exportDoc = useExportDocument();
  return (
    <Card
      size="small"
      title={release}
      extra={
        can(me, 'requirements', 'read') && (
          <Button icon={<DownloadOutlined />} loading={exportDoc.isPending} onClick={() => exportDoc.mutate({ release }, { onError: (e) => void message.error(e.message) })} data-testid="release-export">
            {t('requirement.exportDocument')}
          </Button>
        )
      }
    >
      <CursorTable<Requirement> query={list} compact columns={columns} data-testid="release-table" />
    </Card>
  );
}
