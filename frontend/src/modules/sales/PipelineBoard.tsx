import { useState } from 'react';
import { Badge, Button, Card, Empty, Select, Space, Spin, Tooltip, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import {
  DndContext, DragOverlay, KeyboardSensor, MouseSensor, pointerWithin, rectIntersection, TouchSensor, useDraggable, useDroppable, useSensor, useSensors,
  type Announcements, type CollisionDetection, type DragEndEvent, type DragStartEvent,
} from '@dnd-kit/core';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import type { BoardColumn, Opportunity, Stage } from '../../api/types';
import { formatDate, formatMoney } from '../../i18n/format';
import { ErrorResult } from '../../ui/ErrorResult';
import { useMe } from '../auth/useSession';
import { DayRangeFilter, FilterBar, OwnerFilter, TeamFilter } from '../../ui/FilterBar';
import { boardFiltersToSearch, parseBoardFilters } from './filters';
import { useBoard, useLoadMoreCards } from './useOpportunities';
import { pickPipeline, usePipelines } from './usePipelines';
import { useStageMover } from './useStageMover';
import { useUrlFilters } from '../../ui/useUrlFilters';

/** A column head's sums: amount and weighted amount per currency ("—" when the column is empty). */
export function ColumnSums({ column }: { column: BoardColumn }) {
  const { t, i18n } = useTranslation();
  const sums = column.sums.filter((s) => s.amount_minor !== 0 || s.weighted_minor !== 0);
  return (
    <div className="board-sums" data-testid="column-sums">
      {sums.length === 0 ? (
        <Typography.Text type="secondary">{t('board.noAmount')}</Typography.Text>
      ) : (
        sums.map((s) => (
          <div key={s.currency} data-currency={s.currency}>
            <Tooltip title={t('board.amountSum')}>
              <span data-testid="column-amount">{formatMoney({ amount_minor: s.amount_minor, currency: s.currency }, i18n.language)}</span>
            </Tooltip>
            <Typography.Text type="secondary">
              {' · '}
              {t('board.weighted')}{' '}
              <span data-testid="column-weighted">{formatMoney({ amount_minor: s.weighted_minor, currency: s.currency }, i18n.language)}</span>
            </Typography.Text>
          </div>
        ))
      )}
    </div>
  );
}

/** One opportunity on the board. */
export function OpportunityCard({ card, dragging }: { card: Opportunity; dragging?: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <div className={`board-card${dragging ? ' board-card-dragging' : ''}`} data-testid="board-card" data-id={card.id} data-name={card.name}>
      <Link to={`/sales/opportunities/${card.id}`} className="board-card-title" data-testid="board-card-link" draggable={false}>
        {card.name}
      </Link>
      <div className="board-card-customer">{card.customer_name}</div>
      <div className="board-card-meta">
        <b data-testid="board-card-amount">{formatMoney(card.amount, lang)}</b>
        <span>{card.effective_probability}%</span>
      </div>
      <div className="board-card-meta">
        <Typography.Text type="secondary">{card.owner_name}</Typography.Text>
        {card.expected_close_date && (
          <Typography.Text type="secondary" title={t('opportunity.expectedClose')}>
            {formatDate(card.expected_close_date, lang)}
          </Typography.Text>
        )}
      </div>
    </div>
  );
}

function DraggableCard({ card, disabled }: { card: Opportunity; disabled: boolean }) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: card.id, data: { card }, disabled });
  return (
    <div ref={setNodeRef} {...listeners} {...attributes} style={{ opacity: isDragging ? 0.35 : 1 }} className="board-card-handle">
      <OpportunityCard card={card} />
    </div>
  );
}

function Column({
  column, canMove, onMore, loadingMore,
}: { column: BoardColumn; canMove: boolean; onMore: () => void; loadingMore: boolean }) {
  const { t } = useTranslation();
  const { stage } = column;
  const { setNodeRef, isOver } = useDroppable({ id: stage.id, data: { stage }, disabled: stage.retired });
  return (
    <div
      ref={setNodeRef}
      className={`board-column board-column-${stage.kind}${isOver ? ' board-column-over' : ''}${stage.retired ? ' board-column-retired' : ''}`}
      data-testid="board-column"
      data-stage-key={stage.key}
      data-stage-id={stage.id}
    >
      <div className="board-column-head">
        <Space size={6}>
          <Typography.Text strong data-testid="column-name">{stage.name}</Typography.Text>
          <Badge count={column.count} showZero color={stage.kind === 'won' ? '#52c41a' : stage.kind === 'lost' ? '#ff4d4f' : '#1677ff'} overflowCount={99999} data-testid="column-count" />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{stage.probability}%</Typography.Text>
        </Space>
        {stage.retired && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('pipeline.retired')}</Typography.Text>}
        <ColumnSums column={column} />
      </div>
      <div className="board-column-cards">
        {column.cards.map((c) => (
          <DraggableCard key={c.id} card={c} disabled={!canMove} />
        ))}
        {column.cards.length === 0 && <div className="board-column-empty">{t('board.empty')}</div>}
        {column.next_cursor && (
          <Button block size="small" type="dashed" onClick={onMore} loading={loadingMore} data-testid="column-more">
            {t('board.loadMore', { shown: column.cards.length, total: column.count })}
          </Button>
        )}
      </div>
    </div>
  );
}

/** The column under the pointer; for keyboard drags (no pointer) the column the card overlaps. */
const columnCollision: CollisionDetection = (args) => {
  const under = pointerWithin(args);
  return under.length > 0 ? under : rectIntersection(args);
};

/** The pipeline board (kanban): a column per stage; cards are dragged to move opportunities. */
export default function PipelineBoard() {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { filters, update, field, dayRange } = useUrlFilters(parseBoardFilters, boardFiltersToSearch);
  const pipelines = usePipelines();
  const pipeline = pickPipeline(pipelines.data, filters.pipeline);
  const board = useBoard(pipeline?.id, filters);
  const more = useLoadMoreCards(pipeline?.id ?? '', filters);
  const mover = useStageMover();
  const [dragging, setDragging] = useState<Opportunity | null>(null);
  // a mouse drags after a few pixels (a click still opens the card); a finger after a long press, so swiping scrolls the board
  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 250, tolerance: 8 } }),
    useSensor(KeyboardSensor),
  );
  const canMove = can(me, 'sales', 'update');

  const cardName = (id: string | number) => board.data?.columns.flatMap((c) => c.cards).find((c) => c.id === id)?.name ?? '';
  const stageName = (id: string | number | undefined) => board.data?.columns.find((c) => c.stage.id === id)?.stage.name ?? '';
  // what a screen reader hears while a card is dragged with the keyboard
  const announcements: Announcements = {
    onDragStart: ({ active }) => t('board.a11y.picked', { name: cardName(active.id) }),
    onDragOver: ({ active, over }) => (over ? t('board.a11y.over', { name: cardName(active.id), stage: stageName(over.id) }) : t('board.a11y.outside', { name: cardName(active.id) })),
    onDragEnd: ({ active, over }) => (over ? t('board.a11y.dropped', { name: cardName(active.id), stage: stageName(over.id) }) : t('board.a11y.cancelled', { name: cardName(active.id) })),
    onDragCancel: ({ active }) => t('board.a11y.cancelled', { name: cardName(active.id) }),
  };


  const onDragStart = (e: DragStartEvent) => setDragging((e.active.data.current?.card as Opportunity | undefined) ?? null);
  const onDragEnd = (e: DragEndEvent) => {
    setDragging(null);
    const card = e.active.data.current?.card as Opportunity | undefined;
    const to = e.over?.data.current?.stage as Stage | undefined;
    if (card && to) mover.request(card, to);
  };

  if (pipelines.isError) return <ErrorResult error={pipelines.error} onRetry={() => void pipelines.refetch()} />;
  if (pipelines.isPending) return <Spin />;
  if (!pipeline) return <Empty description={t('board.noPipeline')} />;

  return (
    <div>
      <FilterBar data-testid="board-filters">
        <Select
          value={pipeline.id}
          onChange={(id: string) => update({ pipeline: id })}
          options={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          style={{ width: 200 }}
          aria-label={t('board.pipeline')}
          data-testid="board-pipeline"
        />
        <OwnerFilter {...field('owner_id')} placeholder={t('opportunity.owner')} data-testid="board-owner" />
        <TeamFilter {...field('team_id')} placeholder={t('opportunity.team')} width={180} data-testid="board-team" />
        <DayRangeFilter {...dayRange('expected_close_from', 'expected_close_to')} placeholder={[t('opportunity.closeFrom'), t('opportunity.closeTo')]} data-testid="board-close-range" />
        {(filters.owner_id || filters.team_id || filters.expected_close_from || filters.expected_close_to) && (
          <Button type="link" onClick={() => update({ owner_id: undefined, team_id: undefined, expected_close_from: undefined, expected_close_to: undefined })} data-testid="board-clear">
            {t('customers.clearFilters')}
          </Button>
        )}
        {can(me, 'sales', 'create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/sales/opportunities/new')} data-testid="opportunity-new" style={{ marginLeft: 'auto' }}>
            {t('opportunity.create')}
          </Button>
        )}
      </FilterBar>
      {board.isError && !board.data ? (
        <ErrorResult error={board.error} onRetry={() => void board.refetch()} />
      ) : !board.data ? (
        <Spin />
      ) : (
        <DndContext
          sensors={sensors}
          collisionDetection={columnCollision}
          accessibility={{ announcements, screenReaderInstructions: { draggable: t('board.a11y.instructions') } }} onDragStart={onDragStart} onDragEnd={onDragEnd} onDragCancel={() => setDragging(null)}>
          <div className="board" data-testid="board" data-pipeline-id={pipeline.id} aria-busy={board.isFetching}>
            {board.data.columns.map((col) => (
              <Column
                key={col.stage.id}
                column={col}
                canMove={canMove}
                loadingMore={more.isPending && more.variables?.stageId === col.stage.id}
                onMore={() => col.next_cursor && more.mutate({ stageId: col.stage.id, cursor: col.next_cursor })}
              />
            ))}
          </div>
          <DragOverlay>{dragging ? <Card size="small" styles={{ body: { padding: 0 } }}><OpportunityCard card={dragging} dragging /></Card> : null}</DragOverlay>
        </DndContext>
      )}
      {mover.element}
    </div>
  );
}
