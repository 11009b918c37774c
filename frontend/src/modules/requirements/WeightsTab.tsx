import { useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Form, InputNumber, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { STALE, useVersionedEdit } from '../../ui/useVersionedEdit';
import { mergePatch } from '../../ui/mergePatch';
import { useFormProblem } from '../../ui/formErrors';
import type { PriorityWeights } from '../../api/types';
import { Loaded } from '../../ui/ErrorResult';
import { formatScore, formulaText, scoreBreakdown } from './score';
import { useRequirementSettings, useSaveWeights } from './useRequirements';

const KEYS = ['importance', 'urgency', 'demand'] as const;

/** The weight form's own check, like the server's: each 0–10, not all zero. */
export function checkWeights(w: Partial<PriorityWeights>): 'range' | 'allZero' | null {
  const all = KEYS.map((k) => w[k]);
  if (all.some((v) => v === undefined || v === null || !Number.isFinite(v) || v < 0 || v > 10)) return 'range';
  if (all.every((v) => v === 0)) return 'allZero';
  return null;
}

/** Settings → 需求权重 (administrators): the priority score's weights, the formula and an example with them. */
export function WeightsTab() {
  const settings = useRequirementSettings();
  return <Loaded query={settings}>{(data) => <WeightsForm stored={data} refetch={async () => (await settings.refetch()).data} />}</Loaded>;
}

type StoredSettings = NonNullable<ReturnType<typeof useRequirementSettings>['data']>;

const weightsOf = (stored: StoredSettings): PriorityWeights => stored.settings.weights;

function WeightsForm({ stored, refetch }: { stored: StoredSettings; refetch: () => Promise<StoredSettings | undefined> }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { message } = App.useApp();
  const save = useSaveWeights();
  const [form] = Form.useForm<PriorityWeights>();
  // the server names the fields inside the body (`weights.urgency`)
  const problem = useFormProblem(form, KEYS, { renamed: { weights: '' }, testId: 'weights-error' });
  // the ETag the weights were read with; a save sends it as If-Match
  const edit = useVersionedEdit({
    record: stored,
    latest: refetch,
    form,
    toForm: weightsOf,
    changes: (base, v) => mergePatch(weightsOf(base), { importance: v.importance, urgency: v.urgency, demand: v.demand }),
  });
  const weights = weightsOf(edit.base ?? stored);
  const [local, setLocal] = useState<'range' | 'allZero' | null>(null);
  const watched = Form.useWatch([], form) as Partial<PriorityWeights> | undefined;
  const current: PriorityWeights = { ...weights, ...(watched ?? {}) };
  const check = checkWeights(current);
  const labels = {
    importance: t('requirement.factor.importance'),
    urgency: t('requirement.factor.urgency'),
    demand: t('requirement.factor.demand'),
    effort: t('requirement.factor.effort'),
  };
  const example = scoreBreakdown({ importance: 4, urgency: 3, effort: 2, requester_count: 4 }, check ? weights : current);

  const submit = async (v: PriorityWeights) => {
    problem.clear();
    setLocal(checkWeights(v));
    if (checkWeights(v)) return;
    try {
      const saved = await edit.save((base) => save.mutateAsync({ weights: { importance: v.importance, urgency: v.urgency, demand: v.demand }, etag: base.etag }));
      if (saved === STALE) return;
      edit.reset(saved);
      void message.success(t('requirement.weights.saved'));
    } catch (e) {
      problem.show(e);
    }
  };

  return (
    <Card size="small" data-testid="weights-tab">
      <Typography.Paragraph>{t('requirement.weights.intro')}</Typography.Paragraph>
      <Typography.Paragraph>
        <Typography.Text code data-testid="weights-formula">{formulaText(check ? weights : current, labels, lang)}</Typography.Text>
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary">{t('requirement.weights.demandFormula')}</Typography.Paragraph>
      {edit.notice}
      {local && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={t(`requirement.weights.${local}`)} data-testid="weights-error" />}
      {problem.alert}
      <Form<PriorityWeights> form={form} layout="inline" initialValues={weights} onFinish={(v) => void submit(v)} data-testid="weights-form" style={{ rowGap: 8 }}>
        {KEYS.map((k) => (
          <Form.Item key={k} name={k} label={labels[k]} rules={[{ required: true, message: t('validation.required') }, { type: 'number', min: 0, max: 10, message: t('requirement.weights.range') }]}>
            <InputNumber min={0} max={10} step={0.1} data-testid={`weight-${k}`} />
          </Form.Item>
        ))}
        <Button type="primary" htmlType="submit" loading={save.isPending} disabled={check !== null} data-testid="weights-save">{t('common.save')}</Button>
      </Form>
      {check && <Typography.Text type="danger" data-testid="weights-problem">{t(`requirement.weights.${check}`)}</Typography.Text>}
      <Descriptions size="small" column={1} style={{ marginTop: 16 }} title={t('requirement.weights.example')}>
        <Descriptions.Item label={t('requirement.weights.exampleInput')}>{t('requirement.weights.exampleValues')}</Descriptions.Item>
        <Descriptions.Item label={t('requirement.score')}>
          <Space data-testid="weights-example">10 × {formatScore(example.sum, lang)} / {example.effort} = {formatScore(example.score, lang)}</Space>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
