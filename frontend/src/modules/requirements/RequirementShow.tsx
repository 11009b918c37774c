import { useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Empty, Form, Input, Popconfirm, Rate, Space, Spin, Statistic, Tag, Timeline, Typography } from 'antd';
import { ItemList } from '../../ui/ItemList';
import { DeleteOutlined, EditOutlined, MergeCellsOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { hasCode, useProblemText } from '../../ui/problemText';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { can } from '../../app/permissions';
import { isProblemError } from '../../api/problem';
import { REQUIREMENT_CATEGORIES, REQUIREMENT_SOURCES, REQUIREMENT_STATUSES, type DuplicateCandidate, type Requester, type Requirement, type RequirementRevision, type RequirementStatus } from '../../api/types';
import { dateTimeOrDash, formatDate, formatDateTime, formatNumber } from '../../i18n/format';
import { ErrorResult, Loaded } from '../../ui/ErrorResult';
import { CustomerPicker } from '../../ui/CustomerPicker';
import { useDocumentTitle } from '../../ui/documentTitle';
import { useOwnerOptions } from '../../ui/useOptions';
import { CursorTable, LoadMore, useCursorRows } from '../../ui/CursorTable';
import { useMe } from '../auth/useSession';
import { FeedbackModal } from './FeedbackModal';
import { CategoryTag, RequirementStatusTag, ScoreBadge } from './labels';
import { MergeModal, type MergeSide } from './MergeModal';
import { revisionRows } from './revisions';
import { DEFAULT_WEIGHTS, formatScore } from './score';
import { ScoreBreakdown } from './ScoreBreakdown';
import { StatusMoveModal, type MoveAnswer } from './StatusMoveModal';
import { allowedMoves, needsDialog } from './transitions';
import {
  useAddRequester, useDeleteRequirement, useDuplicates, useFeedback, useGiveFeedback, useMergeRequirement, useMoveRequirement,
  useRemoveRequester, useRequesters, useRequirement, useRequirementSettings, useRevisions, useStatusHistory,
} from './useRequirements';
import { RecordHead } from '../../ui/RecordHead';
import { RecordColumns } from '../../ui/RecordPage';

export default function RequirementShow() {
  const { id = '' } = useParams();
  const requirement = useRequirement(id);
  return <Loaded query={requirement}>{(data) => <Show key={data.id} requirement={data} reload={() => void requirement.refetch()} />}</Loaded>;
}

const OPEN: RequirementStatus[] = ['collected', 'analyzing', 'planned', 'in_progress', 'delivered'];

function Show({ requirement: r, reload }: { requirement: Requirement; reload: () => void }) {
  const { t, i18n } = useTranslation();
  useDocumentTitle(`${r.number} ${r.title}`, t('nav.requirements'));
  const lang = i18n.language;
  const me = useMe().data;
  const navigate = useNavigate();
  const { message } = App.useApp();
  const move = useMoveRequirement();
  const remove = useDeleteRequirement();
  const settings = useRequirementSettings();
  const [moving, setMoving] = useState<RequirementStatus | null>(null);
  // the refusal itself, so its sentence follows a language switch
  const [refused, setRefused] = useState<unknown>(null);
  const problemText = useProblemText();
  const writeFailed = useWriteFailed(reload);
  const canUpdate = can(me, 'requirements', 'update');
  const weights = settings.data?.settings.weights ?? DEFAULT_WEIGHTS;

  const failed = (e: Error) => {
    if (hasCode(e, 'requirement.invalid_transition', 'requirement.duplicate_by_merge', 'requirement.closed')) {
      setRefused(e);
      reload();
      return;
    }
    writeFailed(e);
  };

  const runMove = async (to: RequirementStatus, answer: MoveAnswer = {}) => {
    setRefused(null);
    const next = await move.mutateAsync({ requirement: r, status: to, ...answer });
    void message.success(t('requirement.moved', { status: t(`requirementStatus.${next.status}`) }));
  };

  const onMove = (to: RequirementStatus) => {
    if (needsDialog(r, to)) return setMoving(to);
    runMove(to).catch((e: Error) => failed(e));
  };

  const onDelete = () =>
    remove.mutate(r, {
      onSuccess: () => {
        void message.success(t('requirement.deleted'));
        navigate('/requirements/list');
      },
      onError: failed,
    });

  return (
    <>
      <RecordColumns
        side={
          <>
            <Card title={t('requirement.scoreBreakdown')} size="small" extra={<Typography.Text strong>{formatScore(r.score, lang)}</Typography.Text>}>
              <ScoreBreakdown requirement={r} weights={weights} />
            </Card>
            {OPEN.includes(r.status) && canUpdate && <DuplicatesCard requirement={r} />}
            <HistoryCard requirementId={r.id} />
          </>
        }
      >
        <Card>
          <RecordHead
            title={r.number}
            titleTestId="requirement-number"
            tags={
              <>
                <RequirementStatusTag status={r.status} />
                <ScoreBadge score={r.score} />
                <CategoryTag category={r.category} />
              </>
            }
            actions={canUpdate && (
              <>
                {allowedMoves(r.status).map((m) => (
                  <Button
                    key={m.to}
                    type={m.action === 'back' || m.action === 'reject' ? 'default' : 'primary'}
                    danger={m.action === 'reject'}
                    loading={move.isPending && move.variables?.status === m.to}
                    onClick={() => onMove(m.to)}
                    data-testid={`requirement-move-${m.to}`}
                  >
                    {t(`requirement.action.${m.action}`, { status: t(`requirementStatus.${m.to}`) })}
                  </Button>
                ))}
                <Button icon={<EditOutlined />} onClick={() => navigate(`/requirements/${r.id}/edit`)} data-testid="requirement-edit">
                  {t('common.edit')}
                </Button>
                {can(me, 'requirements', 'delete') && (
                  <Popconfirm title={t('requirement.deleteConfirm', { number: r.number })} onConfirm={onDelete} okText={t('common.delete')} cancelText={t('common.cancel')}>
                    <Button danger icon={<DeleteOutlined />} data-testid="requirement-delete">{t('common.delete')}</Button>
                  </Popconfirm>
                )}
              </>
            )}
            actionsTestId="requirement-actions"
          />
          <Typography.Title level={5} style={{ marginTop: 0 }} data-testid="requirement-title">{r.title}</Typography.Title>
          {refused !== null && (
            <Alert type="error" showIcon closable={{ onClose: () => setRefused(null) }} title={t('requirement.moveRefused')} description={problemText(refused)}
              style={{ marginBottom: 12 }} data-testid="requirement-move-error" />
          )}
          {r.duplicate_of_id && (
            <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="requirement-duplicate-of"
              title={<span>{t('requirement.mergedInto')} <Link to={`/requirements/${r.duplicate_of_id}`}>{t('requirement.openSurvivor')}</Link></span>} />
          )}
          {r.rejection_reason && <Alert type="error" style={{ marginBottom: 12 }} title={t('requirement.rejectedBecause', { reason: r.rejection_reason })} data-testid="requirement-rejection" />}
          <Descriptions size="small" column={{ xs: 1, sm: 2, xl: 3 }} data-testid="requirement-profile">
            <Descriptions.Item label={t('requirement.source')}>{t(`requirementSource.${r.source_channel}`)}</Descriptions.Item>
            <Descriptions.Item label={t('requirement.importance')}>{r.importance}</Descriptions.Item>
            <Descriptions.Item label={t('requirement.urgency')}>{r.urgency}</Descriptions.Item>
            <Descriptions.Item label={t('requirement.effort')}>{r.effort}</Descriptions.Item>
            <Descriptions.Item label={t('requirement.owner')}><span data-testid="requirement-owner-name">{r.owner_name ?? '—'}</span></Descriptions.Item>
            <Descriptions.Item label={t('requirement.department')}>{r.department ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('requirement.targetDate')}>
              <span data-testid="requirement-target">{r.target_date ? formatDate(r.target_date, lang) : '—'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('requirement.release')}>
              {r.release ? <Link to={`/requirements/releases?release=${encodeURIComponent(r.release)}`}>{r.release}</Link> : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('requirement.tags')}>{r.tags.length > 0 ? r.tags.map((x) => <Tag key={x}>{x}</Tag>) : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('requirement.createdAt')}>{dateTimeOrDash(r.created_at, lang)}</Descriptions.Item>
            {r.delivered_at && <Descriptions.Item label={t('requirement.deliveredAt')}>{dateTimeOrDash(r.delivered_at, lang)}</Descriptions.Item>}
            {r.evaluated_at && <Descriptions.Item label={t('requirement.evaluatedAt')}>{dateTimeOrDash(r.evaluated_at, lang)}</Descriptions.Item>}
            <Descriptions.Item label={t('requirement.description')} span="filled">
              <span style={{ whiteSpace: 'pre-wrap' }}>{r.description || '—'}</span>
            </Descriptions.Item>
          </Descriptions>
        </Card>
        <RequestersCard requirement={r} canUpdate={canUpdate} />
        <FeedbackCard requirement={r} />
        <RevisionsCard requirementId={r.id} />
      </RecordColumns>
      <StatusMoveModal
        requirement={r}
        to={moving}
        submitting={move.isPending}
        onCancel={() => setMoving(null)}
        onSubmit={async (answer) => {
          if (!moving) return;
          try {
            await runMove(moving, answer);
            setMoving(null);
          } catch (e) {
            // field errors (422) stay in the dialog; a refused or stale move closes it and says why
            if (isProblemError(e) && e.status === 422) throw e;
            setMoving(null);
            failed(e as Error);
          }
        }}
      />
    </>
  );
}

function RequestersCard({ requirement: r, canUpdate }: { requirement: Requirement; canUpdate: boolean }) {
  const { t, i18n } = useTranslation();
  const problemText = useProblemText();
  const { message } = App.useApp();
  const writeFailed = useWriteFailed();
  const requesters = useRequesters(r.id);
  const add = useAddRequester();
  const removeOne = useRemoveRequester();
  const give = useGiveFeedback();
  const [form] = Form.useForm<{ customer_id?: string; note?: string }>();
  const [rating, setRating] = useState<Requester | null>(null);
  const open = OPEN.includes(r.status);

  const onAdd = async () => {
    const v = form.getFieldsValue();
    if (!v.customer_id) {
      form.setFields([{ name: 'customer_id', errors: [t('validation.required')] }]);
      return;
    }
    try {
      const note = v.note?.trim();
      await add.mutateAsync({ id: r.id, body: { customer_id: v.customer_id, ...(note ? { note } : {}) } });
      form.resetFields();
      void message.success(t('requirement.requesterAdded'));
    } catch (e) {
      form.setFields([{ name: 'customer_id', errors: [problemText(e)] }]);
    }
  };

  return (
    <Card title={t('requirement.requestersTitle', { count: r.requester_count })} size="small" data-testid="requesters-card">
      <CursorTable<Requester>
        query={requesters}
        compact
        locale={{ emptyText: t('requirement.noRequesters') }}
        data-testid="requesters-table"
        onRow={(x) => ({ 'data-customer': x.customer_name ?? '' }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('requirement.customer'),
            key: 'customer',
            render: (_: unknown, x: Requester) => (
              <Space orientation="vertical" size={0}>
                <Link to={`/customers/${x.customer_id}`} data-testid="requester-customer-link">{x.customer_name ?? x.customer_id}</Link>
                {x.contact_name && <Typography.Text type="secondary">{x.contact_name}</Typography.Text>}
              </Space>
            ),
          },
          {
            title: t('requirement.heardIn'),
            key: 'links',
            render: (_: unknown, x: Requester) => (
              <Space size={4} wrap>
                {x.ticket_id && <Link to={`/service/tickets/${x.ticket_id}`} data-testid="requester-ticket-link"><Tag color="blue">{t('requirement.ticketLink')}</Tag></Link>}
                {x.interaction_id && (
                  <Link to={`/activities/interactions?customer_id=${x.customer_id}`} data-testid="requester-interaction-link"><Tag color="green">{t('requirement.interactionLink')}</Tag></Link>
                )}
                {!x.ticket_id && !x.interaction_id && '—'}
              </Space>
            ),
          },
          { title: t('requirement.note'), key: 'note', render: (_: unknown, x: Requester) => x.note ?? '—' },
          { title: t('requirement.requestedAt'), key: 'requested_at', render: (_: unknown, x: Requester) => formatDate(x.requested_at, i18n.language) },
          {
            title: t('requirement.rating'),
            key: 'rating',
            render: (_: unknown, x: Requester) =>
              x.feedback_rating ? (
                <Rate disabled value={x.feedback_rating} style={{ fontSize: 14 }} data-testid="requester-rating" />
              ) : r.status === 'delivered' && canUpdate ? (
                <Button size="small" onClick={() => setRating(x)} data-testid="requester-give-feedback">{t('requirement.recordFeedback')}</Button>
              ) : (
                '—'
              ),
          },
          ...(canUpdate && open
            ? [{
                title: '',
                key: 'actions',
                render: (_: unknown, x: Requester) => (
                  <Popconfirm
                    title={t('requirement.removeRequesterConfirm', { customer: x.customer_name ?? '' })}
                    onConfirm={() => removeOne.mutate({ id: r.id, requesterId: x.id }, { onError: writeFailed })}
                    okText={t('common.delete')}
                    cancelText={t('common.cancel')}
                  >
                    <Button size="small" type="text" danger icon={<DeleteOutlined />} data-testid="requester-remove" aria-label={t('common.delete')} />
                  </Popconfirm>
                ),
              }]
            : []),
        ]}
      />
      {canUpdate && open && (
        <Form form={form} layout="inline" style={{ marginTop: 12, rowGap: 8 }} onFinish={() => void onAdd()} data-testid="requester-add-form">
          <Form.Item name="customer_id" style={{ minWidth: 240 }}>
            <CustomerPicker placeholder={t('requirement.addRequesterCustomer')} style={{ minWidth: 240 }} data-testid="requester-customer" />
          </Form.Item>
          <Form.Item name="note">
            <Input placeholder={t('requirement.note')} data-testid="requester-note" />
          </Form.Item>
          <Button htmlType="submit" loading={add.isPending} data-testid="requester-add">{t('requirement.addRequester')}</Button>
        </Form>
      )}
      <FeedbackModal
        requester={rating}
        submitting={give.isPending}
        onCancel={() => setRating(null)}
        onSubmit={async (v) => {
          if (!rating) return;
          const res = await give.mutateAsync({ id: r.id, body: { customer_id: rating.customer_id, ...(rating.contact_id ? { contact_id: rating.contact_id } : {}), ...v } });
          setRating(null);
          void message.success(
            res.requirement.status === 'evaluated' ? t('requirement.feedbackEvaluated') : t('requirement.feedbackSaved'),
          );
        }}
      />
    </Card>
  );
}

function FeedbackCard({ requirement: r }: { requirement: Requirement }) {
  const { t, i18n } = useTranslation();
  const feedback = useFeedback(r.id);
  return (
    <Card title={t('requirement.feedback')} size="small" data-testid="feedback-card">
      <Space size="large" style={{ marginBottom: 8 }}>
        <Statistic
          title={t('requirement.feedbackAverage')}
          value={r.feedback_average ?? 0}
          valueRender={() => <span data-testid="feedback-average">{r.feedback_average !== null && r.feedback_average !== undefined ? formatScore(r.feedback_average, i18n.language, 1) : '—'}</span>}
        />
        <Statistic title={t('requirement.feedbackCount')} value={r.feedback_count} valueRender={() => <span data-testid="feedback-count">{formatNumber(r.feedback_count, i18n.language)}</span>} />
      </Space>
      {r.status !== 'delivered' && r.status !== 'evaluated' && <Typography.Paragraph type="secondary">{t('requirement.feedbackAfterDelivery')}</Typography.Paragraph>}
      <ItemList
        size="small"
        loading={feedback.isPending}
        dataSource={feedback.data ?? []}
        locale={{ emptyText: t('requirement.noFeedback') }}
        renderItem={(f) => (
          <ItemList.Item data-testid="feedback-item">
            <Space orientation="vertical" size={0}>
              <Space>
                <Link to={`/customers/${f.customer_id}`}>{f.customer_name ?? f.customer_id}</Link>
                <Rate disabled value={f.rating} style={{ fontSize: 14 }} />
              </Space>
              {f.comment && <Typography.Text>{f.comment}</Typography.Text>}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {f.recorded_by_name ?? ''} · {formatDateTime(f.created_at, i18n.language)}
              </Typography.Text>
            </Space>
          </ItemList.Item>
        )}
      />
    </Card>
  );
}

function DuplicatesCard({ requirement: r }: { requirement: Requirement }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const writeFailed = useWriteFailed();
  const navigate = useNavigate();
  const duplicates = useDuplicates(r.id);
  const merge = useMergeRequirement();
  const [other, setOther] = useState<DuplicateCandidate | null>(null);
  const current: MergeSide = { id: r.id, number: r.number, title: r.title, status: r.status, requester_count: r.requester_count, feedback_count: r.feedback_count };
  const items = duplicates.data ?? [];
  return (
    <Card title={t('requirement.duplicates')} size="small" data-testid="duplicates-card">
      <ItemList
        size="small"
        loading={duplicates.isPending}
        dataSource={items}
        locale={{ emptyText: t('requirement.noDuplicates') }}
        renderItem={(c) => (
          <ItemList.Item
            data-testid="duplicate-candidate"
            data-number={c.number}
            actions={[<Button key="merge" size="small" icon={<MergeCellsOutlined />} onClick={() => setOther(c)} data-testid="duplicate-merge">{t('requirement.merge')}</Button>]}
          >
            <Space orientation="vertical" size={0}>
              <Link to={`/requirements/${c.id}`}>{c.number}</Link>
              <Typography.Text>{c.title}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('requirement.requesterCount', { count: c.requester_count })} · {t('requirement.similarity', { pct: Math.round(c.similarity * 100) })}
              </Typography.Text>
            </Space>
          </ItemList.Item>
        )}
      />
      <MergeModal
        open={other !== null}
        current={current}
        other={other}
        submitting={merge.isPending}
        onCancel={() => setOther(null)}
        onSubmit={(survivorId, duplicateId) =>
          merge.mutate(
            { survivorId, duplicateId },
            {
              onSuccess: (res) => {
                setOther(null);
                void message.success(t('requirement.merged', { number: res.survivor.number, count: Number(res.moved_requesters) }));
                if (res.survivor.id !== r.id) navigate(`/requirements/${res.survivor.id}`);
              },
              onError: writeFailed,
            },
          )
        }
      />
    </Card>
  );
}

function HistoryCard({ requirementId }: { requirementId: string }) {
  const { t, i18n } = useTranslation();
  const history = useStatusHistory(requirementId);
  if (history.isPending) return <Card size="small" title={t('requirement.history')}><Spin /></Card>;
  if (history.isError) return <ErrorResult error={history.error} onRetry={() => void history.refetch()} />;
  return (
    <Card size="small" title={t('requirement.history')} data-testid="requirement-history">
      {history.data.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Timeline
          items={history.data.map((h) => ({
            key: h.id,
            content: (
              <div data-testid="history-item">
                <Space size={4} wrap>
                  {h.from_status && <RequirementStatusTag status={h.from_status} testId="history-from" />}
                  {h.from_status && '→'}
                  <RequirementStatusTag status={h.to_status} testId="history-to" />
                </Space>
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {h.actor_name ?? ''} · {formatDateTime(h.changed_at, i18n.language)}
                  </Typography.Text>
                </div>
                {h.reason && <Typography.Text>{h.reason}</Typography.Text>}
              </div>
            ),
          }))}
        />
      )}
    </Card>
  );
}

function RevisionsCard({ requirementId }: { requirementId: string }) {
  const { t, i18n } = useTranslation();
  const revisions = useRevisions(requirementId);
  const rows = useCursorRows(revisions);
  const owners = useOwnerOptions();
  const label = (field: string) => (i18n.exists(`requirement.fields.${field}`) ? t(`requirement.fields.${field}`) : field);
  // stored codes read as their labels, an owner by name; other values as stored
  const enumLabels: Record<string, [readonly string[], string]> = {
    status: [REQUIREMENT_STATUSES, 'requirementStatus'],
    category: [REQUIREMENT_CATEGORIES, 'requirementCategory'],
    source_channel: [REQUIREMENT_SOURCES, 'requirementSource'],
  };
  const showValue = (field: string, v: string) => {
    const known = enumLabels[field];
    if (known && known[0].includes(v)) return t(`${known[1]}.${v}`);
    if (field === 'owner_id') return owners.options.find((o) => o.value === v)?.label ?? v;
    return v;
  };
  return (
    <Card size="small" title={t('requirement.revisions')} data-testid="requirement-revisions">
      <ItemList
        size="small"
        loading={revisions.isPending}
        dataSource={rows}
        locale={{ emptyText: t('requirement.noRevisions') }}
        renderItem={(rev: RequirementRevision) => (
          <ItemList.Item data-testid="revision-item">
            <Space orientation="vertical" size={2} style={{ width: '100%' }}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                #{rev.revision} · {rev.actor_name ?? ''} · {formatDateTime(rev.created_at, i18n.language)}
              </Typography.Text>
              {revisionRows(rev.changes).map((c) => (
                <div key={c.field} data-testid="revision-change">
                  <Typography.Text strong>{label(c.field)}</Typography.Text>
                  {c.kind === 'created' ? (
                    c.fields.map((f) => (
                      <div key={f.field} style={{ paddingLeft: 12 }}>
                        <Typography.Text type="secondary">{label(f.field)}</Typography.Text>
                        {': '}
                        <Typography.Text>{showValue(f.field, f.value)}</Typography.Text>
                      </div>
                    ))
                  ) : (
                    <>
                      {': '}
                      {c.kind === 'change' ? (
                        <>
                          <Typography.Text delete type="secondary">{showValue(c.field, c.old)}</Typography.Text>
                          {' → '}
                          <Typography.Text>{showValue(c.field, c.new)}</Typography.Text>
                        </>
                      ) : (
                        <Typography.Text>{showValue(c.field, c.new)}</Typography.Text>
                      )}
                    </>
                  )}
                </div>
              ))}
            </Space>
          </ItemList.Item>
        )}
      />
      <LoadMore query={revisions} compact />
    </Card>
  );
}
