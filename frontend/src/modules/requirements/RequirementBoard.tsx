import { useMemo, useState } from 'react';
import { App, Badge, Button, Card, Dropdown, Empty, Space, Spin, Typography } from 'antd';
import { SwapOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { can } from '../../app/permissions';
import { isProblemError } from '../../api/problem';
import { problemText } from '../../ui/problemText';
import type { Requirement, RequirementStatus } from '../../api/types';
import { formatNumber } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { parseRequirementFilters } from './filters';
import { REQUIREMENT_STATUS_COLORS, ScoreBadge } from './labels';
import { StatusMoveModal, type MoveAnswer } from './StatusMoveModal';
import { allowedMoves, needsDialog } from './transitions';
import { useLoadMoreColumn, useMoveRequirement, useRequirementBoard } from './useRequirements';

/** The board (`/requirements`): a column per status with its count, cards by score and "load more"; moves through the status action. */
export default function RequirementBoard() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const { message } = App.useApp();
  const [params] = useSearchParams();
  const filters = useMemo(() => ({ ...parseRequirementFilters(params), status: [] }), [params]);
  const board = useRequirementBoard(filters);
  const more = useLoadMoreColumn(filters);
  const move = useMoveRequirement();
  const [moving, setMoving] = useState<{ requirement: Requirement; to: RequirementStatus } | null>(null);
  const canUpdate = can(me, 'requirements', 'update');

  const say = (e: Error) => void message.error(problemText(e, i18n));
  const run = async (r: Requirement, to: RequirementStatus, answer: MoveAnswer = {}) => {
    const next = await move.mutateAsync({ requirement: r, status: to, ...answer });
    void message.success(t('requirement.moved', { status: t(`requirementStatus.${next.status}`) }));
  };
  const onMove = (r: Requirement, to: RequirementStatus) => {
    if (needsDialog(r, to)) return setMoving({ requirement: r, to });
    run(r, to).catch(say);
  };

  if (board.isPending) return <Spin />;
  if (board.isError) return <ErrorResult error={board.error} onRetry={() => void board.refetch()} />;
  return (
    <div className="board" data-testid="requirement-board" style={{ display: 'flex', gap: 12, overflowX: 'auto', paddingBottom: 8 }}>
      {board.data.columns.map((c) => (
        <div key={c.status} data-testid="requirement-column" data-status={c.status} style={{ minWidth: 240, flex: '0 0 240px' }}>
          <Card
            size="small"
            title={
              <Space>
                <Badge color={REQUIREMENT_STATUS_COLORS[c.status] === 'default' ? '#bfbfbf' : undefined} status={REQUIREMENT_STATUS_COLORS[c.status] === 'processing' ? 'processing' : undefined} />
                {t(`requirementStatus.${c.status}`)}
              </Space>
            }
            extra={<span data-testid="column-count">{formatNumber(c.count, i18n.language)}</span>}
            styles={{ body: { padding: 8, background: '#fafafa' } }}
          >
            {c.items.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />}
            <Space orientation="vertical" style={{ width: '100%' }} size={8}>
              {c.items.map((r) => (
                <Card key={r.id} size="small" data-testid="requirement-card" data-number={r.number} data-title={r.title}>
                  <Space orientation="vertical" size={2} style={{ width: '100%' }}>
                    <Space style={{ justifyContent: 'space-between', width: '100%' }}>
                      <Link to={`/requirements/${r.id}`} data-testid="requirement-card-link">{r.number}</Link>
                      <ScoreBadge score={r.score} />
                    </Space>
                    <Typography.Text ellipsis={{ tooltip: r.title }}>{r.title}</Typography.Text>
                    <Space style={{ justifyContent: 'space-between', width: '100%' }}>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('requirement.requesterCount', { count: r.requester_count })}{r.owner_name ? ` · ${r.owner_name}` : ''}
                      </Typography.Text>
                      {canUpdate && allowedMoves(r.status).length > 0 && (
                        <Dropdown
                          trigger={['click']}
                          menu={{
                            items: allowedMoves(r.status).map((m) => ({
                              key: m.to,
                              label: <span data-testid={`card-move-${m.to}`}>{t(`requirement.action.${m.action}`, { status: t(`requirementStatus.${m.to}`) })}</span>,
                              danger: m.action === 'reject',
                            })),
                            onClick: ({ key }) => onMove(r, key as RequirementStatus),
                          }}
                        >
                          <Button size="small" type="text" icon={<SwapOutlined />} aria-label={t('requirement.changeStatus')} data-testid="card-move" />
                        </Dropdown>
                      )}
                    </Space>
                  </Space>
                </Card>
              ))}
            </Space>
            {c.next_cursor && (
              <Button
                block
                size="small"
                style={{ marginTop: 8 }}
                loading={more.isPending && more.variables?.status === c.status}
                onClick={() => c.next_cursor && more.mutate({ status: c.status, cursor: c.next_cursor }, { onError: say })}
                data-testid="column-load-more"
              >
                {t('common.loadMore')}
              </Button>
            )}
          </Card>
        </div>
      ))}
      {moving && (
        <StatusMoveModal
          requirement={moving.requirement}
          to={moving.to}
          submitting={move.isPending}
          onCancel={() => setMoving(null)}
          onSubmit={async (answer) => {
            try {
              await run(moving.requirement, moving.to, answer);
              setMoving(null);
            } catch (e) {
              if (isProblemError(e) && e.status === 422) throw e;
              setMoving(null);
              say(e as Error);
            }
          }}
        />
      )}
    </div>
  );
}
