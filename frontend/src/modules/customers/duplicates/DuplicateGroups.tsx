import { useEffect, useState } from 'react';
import { App, Button, Card, Empty, Radio, Space, Spin, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined, MergeCellsOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useDocumentTitle } from '../../../ui/documentTitle';
import { ErrorResult } from '../../../ui/ErrorResult';
import { LoadMore, useCursorRows } from '../../../ui/CursorTable';
import { problemText } from '../../../ui/problemText';
import { MergeWizard } from '../merge/MergeWizard';
import { useCustomer } from '../useCustomers';
import { useCanMerge } from './CustomerDuplicatesCard';
import { CandidateLink, ReasonTags, formatPercent } from './parts';
import { useDuplicateGroups, type CustomerDuplicate, type DuplicateGroup } from './useDuplicates';

/** A merge to run: `otherId` goes into `survivorId`. */
interface Pending {
  survivorId: string;
  otherId: string;
}

/**
 * 客户查重: the groups of customers that are likely the same, strongest first, a page at a time.
 * In a group one chooses the customer to keep and merges the others into it, one by one, through
 * the merge wizard; the list is read again after each merge and the page stays.
 */
export default function DuplicateGroups() {
  const { t } = useTranslation();
  useDocumentTitle(t('customerDuplicates.pageTitle'), t('nav.customers'));
  const navigate = useNavigate();
  const groups = useDuplicateGroups();
  const rows = useCursorRows(groups);
  const [pending, setPending] = useState<Pending | undefined>(undefined);

  if (groups.isError && !groups.data) return <ErrorResult error={groups.error} onRetry={() => void groups.refetch()} />;
  return (
    <div>
      <div className="page-head">
        <Typography.Title level={3}>
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/customers')} aria-label={t('common.back')} />
          {t('customerDuplicates.pageTitle')}
        </Typography.Title>
      </div>
      <Typography.Paragraph type="secondary">{t('customerDuplicates.pageHelp')}</Typography.Paragraph>
      {groups.isPending ? (
        <Spin />
      ) : rows.length === 0 ? (
        <Empty description={t('customerDuplicates.none')} data-testid="duplicate-groups-empty" />
      ) : (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="duplicate-groups">
          {rows.map((g) => (
            <GroupCard key={g.members.map((m) => m.id).join(':')} group={g} onMerge={setPending} />
          ))}
        </Space>
      )}
      <LoadMore query={groups} shown={rows.length} end data-testid="duplicate-groups-more" />
      {pending && <GroupMerge pending={pending} onClose={() => setPending(undefined)} />}
    </div>
  );
}

function GroupCard({ group, onMerge }: { group: DuplicateGroup; onMerge: (p: Pending) => void }) {
  const { t, i18n } = useTranslation();
  const canMerge = useCanMerge();
  const [keptId, setKeptId] = useState<string>(group.members[0]?.id ?? '');
  // a member that left the group (merged away) can no longer be the one kept
  const kept = group.members.some((m) => m.id === keptId) ? keptId : group.members[0]?.id ?? '';
  return (
    <Card
      size="small"
      data-testid="duplicate-group"
      title={
        <Space wrap>
          <ReasonTags reasons={group.reasons} />
          <Tag data-testid="duplicate-group-score">{t('customerDuplicates.score', { percent: formatPercent(group.score, i18n.language) })}</Tag>
        </Space>
      }
    >
      <Table<CustomerDuplicate>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={group.members}
        scroll={{ x: 'max-content' }}
        columns={[
          ...(canMerge
            ? [{
                key: 'keep',
                title: t('customerDuplicates.keep'),
                width: 64,
                render: (_: unknown, m: CustomerDuplicate) => (
                  <Radio checked={m.id === kept} onChange={() => setKeptId(m.id)} aria-label={t('customerDuplicates.keepThis', { name: m.name })} data-testid={`duplicate-keep-${m.id}`} />
                ),
              }]
            : []),
          { key: 'name', title: t('customer.name'), render: (_: unknown, m: CustomerDuplicate) => <CandidateLink candidate={m} /> },
          { key: 'city', title: t('customerDuplicates.city'), render: (_: unknown, m: CustomerDuplicate) => m.city ?? '—' },
          { key: 'owner', title: t('customer.owner'), render: (_: unknown, m: CustomerDuplicate) => m.owner_name ?? '—' },
          { key: 'reasons', title: t('customerDuplicates.reasons'), render: (_: unknown, m: CustomerDuplicate) => <ReasonTags reasons={m.reasons} similarity={m.similarity} /> },
          ...(canMerge
            ? [{
                key: 'merge',
                render: (_: unknown, m: CustomerDuplicate) =>
                  m.id === kept ? (
                    <Tag color="green" data-testid={`duplicate-kept-${m.id}`}>{t('customerDuplicates.kept')}</Tag>
                  ) : (
                    <Button size="small" icon={<MergeCellsOutlined />} onClick={() => onMerge({ survivorId: kept, otherId: m.id })} data-testid={`duplicate-merge-${m.id}`}>
                      {t('customerDuplicates.mergeIntoKept')}
                    </Button>
                  ),
              }]
            : []),
        ]}
      />
    </Card>
  );
}

/** Loads the customer to keep, then opens the merge wizard with the other one picked; the page stays. */
function GroupMerge({ pending, onClose }: { pending: Pending; onClose: () => void }) {
  const { i18n } = useTranslation();
  const { message } = App.useApp();
  const survivor = useCustomer(pending.survivorId);
  const failed = survivor.isError ? survivor.error : null;
  useEffect(() => {
    if (failed) {
      void message.error(problemText(failed, i18n));
      onClose();
    }
  }, [failed, message, i18n, onClose]);
  if (!survivor.data) return null;
  return <MergeWizard survivor={survivor.data} otherId={pending.otherId} onClose={onClose} onMerged={() => undefined} />;
}
