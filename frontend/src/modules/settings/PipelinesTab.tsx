import { useEffect, useState } from 'react';
import { App, Button, Col, Form, Input, InputNumber, Row, Select, Space, Spin, Tag, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { FormModal } from '../../ui/FormModal';
import { NewButton } from '../../ui/NewButton';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { hasCode, isStale, useProblemText } from '../../ui/problemText';
import { mergePatch } from '../../ui/mergePatch';
import { STAGE_KINDS, type CreateStage, type Pipeline, type Stage, type StageKind } from '../../api/types';
import { useFormProblem } from '../../ui/formErrors';
import { ErrorResult } from '../../ui/ErrorResult';
import { StageKindTag } from '../sales/labels';
import {
  fetchPipeline, orderedStages, pickPipeline, useAddStage, useCreatePipeline, useDeleteStage, useRenamePipeline, useReorderStages,
  usePipelines, useUpdateStage,
} from '../sales/usePipelines';
import { FullTable } from '../../ui/FullTable';
import { enumOptions } from '../../ui/useOptions';

interface StageFormValues {
  key?: string;
  name: string;
  probability: number;
  kind?: StageKind;
}

export const STAGE_FIELDS = ['key', 'name', 'probability', 'kind'] as const;

/** The stage ids after moving one up (-1) or down (+1). */
export function moveStage(ids: readonly string[], id: string, by: -1 | 1): string[] {
  const i = ids.indexOf(id);
  const j = i + by;
  if (i < 0 || j < 0 || j >= ids.length) return [...ids];
  const next = [...ids];
  [next[i], next[j]] = [next[j] as string, next[i] as string];
  return next;
}

/** A key from a name typed in Latin letters; empty for other scripts (the admin types one). */
export function stageKeyFrom(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(\d)/, 's_$1').slice(0, 50);
}

function StageModal({ open, pipeline, stage, onClose }: { open: boolean; pipeline: Pipeline; stage: Stage | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<StageFormValues>();
  const add = useAddStage();
  const update = useUpdateStage();
  const problem = useFormProblem(form, STAGE_FIELDS, {
    fieldCodes: { 'pipeline.stage_key_taken': { field: 'key', text: t('pipeline.keyTaken') } },
    testId: 'stage-form-error',
  });

  useEffect(() => {
    if (!open) return;
    problem.reset(stage ? { name: stage.name, probability: stage.probability, kind: stage.kind, key: stage.key } : { name: '', probability: 50, kind: 'open', key: '' });
    // only a dialog opened again starts over
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, stage, form]);

  const submit = () =>
    problem.submit(async (v) => {
      if (stage) {
        const patch = mergePatch({ name: stage.name, probability: stage.probability }, { name: v.name.trim(), probability: v.probability });
        if (Object.keys(patch).length > 0) await update.mutateAsync({ pipeline, stage, patch });
      } else {
        const body: CreateStage = { key: (v.key ?? '').trim(), name: v.name.trim(), probability: v.probability, kind: v.kind ?? 'open' };
        await add.mutateAsync({ pipeline, stage: body });
      }
      void message.success(t('common.saved'));
      onClose();
    });

  return (
    <FormModal
      form={form}
      open={open}
      title={stage ? t('pipeline.editStage') : t('pipeline.addStage')}
      onCancel={onClose}
      onOk={() => void submit()}
      confirmLoading={add.isPending || update.isPending}
      okTestId="stage-save"
    >
      {problem.alert}
      <Form form={form} layout="vertical" data-testid="stage-form">
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="name" label={t('pipeline.stageName')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
              <Input
                data-testid="stage-name"
                onChange={(e) => {
                  if (!stage && !form.isFieldTouched('key')) form.setFieldsValue({ key: stageKeyFrom(e.target.value) });
                }}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="key"
              label={t('pipeline.stageKey')}
              extra={stage ? t('pipeline.keyFixed') : t('pipeline.keyRule')}
              rules={stage ? [] : [{ required: true, message: t('validation.required') }, { pattern: /^[a-z0-9_]+$/, message: t('pipeline.keyRule') }, { max: 50 }]}
            >
              <Input disabled={Boolean(stage)} data-testid="stage-key" />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item
              name="probability"
              label={t('pipeline.probability')}
              rules={[{ required: true, message: t('validation.required') }, { type: 'integer', min: 0, max: 100, message: t('validation.range', { min: 0, max: 100 }) }]}
            >
              <InputNumber min={0} max={100} precision={0} suffix="%" style={{ width: '100%' }} data-testid="stage-probability" />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name="kind" label={t('pipeline.kind')} extra={stage ? t('pipeline.kindFixed') : undefined}>
              <Select disabled={Boolean(stage)} options={enumOptions(t, STAGE_KINDS, 'stageKind')} data-testid="stage-kind" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </FormModal>
  );
}

/** Administrators shape the sales pipelines: rename, add, edit, retire, delete and reorder stages. */
export function PipelinesTab() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const pipelines = usePipelines();
  const writeFailed = useWriteFailed(() => void pipelines.refetch());
  const problemText = useProblemText();
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const pipeline = pickPipeline(pipelines.data, chosen);
  const rename = useRenamePipeline();
  const create = useCreatePipeline();
  const updateStage = useUpdateStage();
  const deleteStage = useDeleteStage();
  const reorder = useReorderStages();
  const [name, setName] = useState('');
  const [dialog, setDialog] = useState<{ open: boolean; stage: Stage | null }>({ open: false, stage: null });
  const [creating, setCreating] = useState(false);
  const [newName, setNewName] = useState('');

  const shownId = pipeline?.id;
  const shownName = pipeline?.name;
  useEffect(() => {
    if (shownName !== undefined) setName(shownName);
  }, [shownId, shownName]);

  if (pipelines.isError) return <ErrorResult error={pipelines.error} onRetry={() => void pipelines.refetch()} />;
  if (pipelines.isPending) return <Spin />;


  const saveName = async () => {
    if (!pipeline || name.trim() === '' || name.trim() === pipeline.name) return;
    try {
      await rename.mutateAsync({ pipeline, name: name.trim() });
      void message.success(t('common.saved'));
    } catch (e) {
      if (isStale(e)) {
        // reload and reapply the new name on top of the latest version
        const latest = await fetchPipeline(pipeline.id);
        rename.mutate({ pipeline: latest, name: name.trim() }, { onSuccess: () => void message.success(t('stale.reapplied')), onError: writeFailed });
        return;
      }
      writeFailed(e);
    }
  };

  const setRetired = (stage: Stage, retired: boolean) =>
    pipeline &&
    updateStage.mutate(
      { pipeline, stage, patch: { retired } },
      { onSuccess: () => void message.success(retired ? t('pipeline.retiredDone', { stage: stage.name }) : t('pipeline.unretiredDone', { stage: stage.name })), onError: writeFailed },
    );

  const remove = (stage: Stage) =>
    pipeline &&
    deleteStage.mutate(
      { pipeline, stage },
      {
        onSuccess: () => void message.success(t('pipeline.deleted', { stage: stage.name })),
        onError: (e) => {
          if (hasCode(e, 'pipeline.stage_in_use', 'pipeline.last_stage_of_kind', 'pipeline.no_open_stage')) {
            // The server's sentence for a stage in use already suggests retiring it.
            const offerRetire = !stage.retired && e.problem.code === 'pipeline.stage_in_use';
            modal.confirm({
              title: t('pipeline.cannotDelete', { stage: stage.name }),
              content: problemText(e),
              okText: offerRetire ? t('pipeline.retire') : t('common.confirm'),
              cancelText: t('common.cancel'),
              okButtonProps: { 'data-testid': 'stage-retire-instead' } as { danger?: boolean },
              onOk: () => {
                if (offerRetire) setRetired(stage, true);
              },
            });
            return;
          }
          writeFailed(e);
        },
      },
    );

  const stages = orderedStages(pipeline);
  const move = (stage: Stage, by: -1 | 1) =>
    pipeline && reorder.mutate({ pipeline, stageIds: moveStage(stages.map((s) => s.id), stage.id, by) }, { onError: writeFailed });

  const createPipeline = () => {
    const n = newName.trim();
    if (!n) return;
    const template: CreateStage[] = [
      { key: 'initial_contact', name: t('pipeline.template.initial'), probability: 10, kind: 'open' },
      { key: 'negotiation', name: t('pipeline.template.negotiation'), probability: 60, kind: 'open' },
      { key: 'won', name: t('pipeline.template.won'), probability: 100, kind: 'won' },
      { key: 'lost', name: t('pipeline.template.lost'), probability: 0, kind: 'lost' },
    ];
    create.mutate(
      { name: n, stages: template },
      {
        onSuccess: (p) => {
          setChosen(p.id);
          setCreating(false);
          setNewName('');
          void message.success(t('pipeline.created'));
        },
        onError: writeFailed,
      },
    );
  };

  return (
    <div data-testid="pipelines-settings">
      <Typography.Paragraph type="secondary">{t('pipeline.intro')}</Typography.Paragraph>
      <div className="filter-bar">
        <Select
          value={pipeline?.id}
          onChange={(id: string) => setChosen(id)}
          options={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.is_default ? `${p.name} (${t('pipeline.default')})` : p.name }))}
          style={{ width: 220 }}
          aria-label={t('board.pipeline')}
          data-testid="settings-pipeline"
        />
        {pipeline && (
          <Space.Compact>
            <Input value={name} onChange={(e) => setName(e.target.value)} onPressEnter={() => void saveName()} aria-label={t('pipeline.name')} data-testid="pipeline-name" style={{ width: 220 }} />
            <Button icon={<EditOutlined />} onClick={() => void saveName()} loading={rename.isPending} disabled={name.trim() === '' || name.trim() === pipeline.name} data-testid="pipeline-rename">
              {t('pipeline.rename')}
            </Button>
          </Space.Compact>
        )}
        <Button icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="pipeline-new">{t('pipeline.new')}</Button>
      </div>
      {pipeline && (
        <>
          <NewButton onClick={() => setDialog({ open: true, stage: null })} data-testid="stage-add">{t('pipeline.addStage')}</NewButton>
          <FullTable<Stage>
            size="middle"
            dataSource={stages}
            loading={reorder.isPending || updateStage.isPending || deleteStage.isPending}
            data-testid="stages-table"
            onRow={(s) => ({ 'data-stage-key': s.key, 'data-testid': 'stage-row' }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              {
                title: t('pipeline.order'),
                key: 'order',
                render: (_: unknown, s: Stage, i: number) => (
                  <Space size={0}>
                    <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(s, -1)} aria-label={t('pipeline.moveUp')} data-testid="stage-up" />
                    <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={i === stages.length - 1} onClick={() => move(s, 1)} aria-label={t('pipeline.moveDown')} data-testid="stage-down" />
                  </Space>
                ),
              },
              { title: t('pipeline.stageName'), key: 'name', render: (_: unknown, s: Stage) => <span data-testid="stage-name-cell">{s.name}</span> },
              { title: t('pipeline.stageKey'), dataIndex: 'key', key: 'key', render: (k: string) => <Typography.Text code>{k}</Typography.Text> },
              { title: t('pipeline.kind'), key: 'kind', render: (_: unknown, s: Stage) => <StageKindTag kind={s.kind} /> },
              { title: t('pipeline.probability'), key: 'probability', render: (_: unknown, s: Stage) => `${s.probability}%` },
              {
                title: t('pipeline.state'),
                key: 'retired',
                render: (_: unknown, s: Stage) => (s.retired ? <Tag data-testid="stage-retired">{t('pipeline.retired')}</Tag> : <Tag color="success">{t('pipeline.inUse')}</Tag>),
              },
              {
                title: t('common.actions'),
                key: 'actions',
                render: (_: unknown, s: Stage) => (
                  <Space size={0} wrap>
                    <EditLink onClick={() => setDialog({ open: true, stage: s })} data-testid="stage-edit" />
                    {s.retired ? (
                      <Button size="small" type="link" onClick={() => setRetired(s, false)} data-testid="stage-unretire">{t('pipeline.unretire')}</Button>
                    ) : (
                      <Button size="small" type="link" onClick={() => setRetired(s, true)} data-testid="stage-retire">{t('pipeline.retire')}</Button>
                    )}
                    <DeleteLink confirm={t('pipeline.deleteConfirm', { stage: s.name })} onConfirm={() => remove(s)} data-testid="stage-delete" />
                  </Space>
                ),
              },
            ]}
          />
          <StageModal open={dialog.open} pipeline={pipeline} stage={dialog.stage} onClose={() => setDialog((d) => ({ ...d, open: false }))} />
        </>
      )}
      <FormModal
        dirty={newName.trim() !== ''}
        open={creating}
        title={t('pipeline.new')}
        onCancel={() => setCreating(false)}
        onOk={createPipeline}
        confirmLoading={create.isPending}
        okButtonProps={{ disabled: newName.trim() === '' }}
        okTestId="pipeline-create"
      >
        <Typography.Paragraph type="secondary">{t('pipeline.newHint')}</Typography.Paragraph>
        <Input value={newName} onChange={(e) => setNewName(e.target.value)} placeholder={t('pipeline.name')} data-testid="pipeline-new-name" />
      </FormModal>
    </div>
  );
}
