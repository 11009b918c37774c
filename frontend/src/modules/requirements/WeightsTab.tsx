import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Form, InputNumber, Space, Spin, Typography, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { isProblemError } from '../../api/problem';
import type { PriorityWeights } from '../../api/types';
import { ErrorResult } from '../../ui/ErrorResult';
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

/** The server's field errors (`weights.urgency`) next to their inputs; the rest as the form's message. */
function weightErrors(form: FormInstance<PriorityWeights>, e: unknown): string | null {
  if (!isProblemError(e)) return e instanceof Error ? e.message : String(e);
  const other: string[] = [];
  for (const fe of e.fieldErrors) {
    const key = fe.field.replace(/^weights[./]/, '');
    if ((KEYS as readonly string[]).includes(key)) form.setFields([{ name: key as (typeof KEYS)[number], errors: [fe.message || fe.code] }]);
    else other.push(fe.message || fe.code);
  }
  if (e.fieldErrors.length > 0 && other.length === 0) return null;
  return [e.problem.detail ?? e.problem.title, ...other].join(' · ');
}

/** Settings → 需求权重 (administrators): the priority score's weights, the formula and an example with them. */
export function WeightsTab() {
  const settings = useRequirementSettings();
  if (settings.isPending) return <Spin />;
  if (settings.isError) return <ErrorResult error={settings.error} onRetry={() => void settings.refetch()} />;
  return <WeightsForm key={settings.data.etag ?? ''} weights={settings.data.settings.weights} etag={settings.data.etag} reload={() => void settings.refetch()} />;
}

function WeightsForm({ weights, etag, reload }: { weights: PriorityWeights; etag: string | null; reload: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { message } = App.useApp();
  const save = useSaveWeights();
  const [form] = Form.useForm<PriorityWeights>();
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const watched = Form.useWatch([], form) as Partial<PriorityWeights> | undefined;
  const current: PriorityWeights = { ...weights, ...(watched ?? {}) };
  const problem = checkWeights(current);
  useEffect(() => form.setFieldsValue(weights), [weights, form]);
  const labels = {
    importance: t('requirement.factor.importance'),
    urgency: t('requirement.factor.urgency'),
    demand: t('requirement.factor.demand'),
    effort: t('requirement.factor.effort'),
  };
  const example = scoreBreakdown({ importance: 4, urgency: 3, effort: 2, requester_count: 4 }, problem ? weights : current);

  const submit = async (v: PriorityWeights) => {
    setError(null);
    setStale(false);
    const local = checkWeights(v);
    if (local) return setError(t(`requirement.weights.${local}`));
    try {
      await save.mutateAsync({ weights: { importance: v.importance, urgency: v.urgency, demand: v.demand }, etag });
      void message.success(t('requirement.weights.saved'));
    } catch (e) {
      if (isProblemError(e) && e.status === 412) return setStale(true);
      setError(weightErrors(form, e));
    }
  };

  return (
    <Card size="small" data-testid="weights-tab">
      <Typography.Paragraph>{t('requirement.weights.intro')}</Typography.Paragraph>
      <Typography.Paragraph>
        <Typography.Text code data-testid="weights-formula">{formulaText(problem ? weights : current, labels, lang)}</Typography.Text>
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary">{t('requirement.weights.demandFormula')}</Typography.Paragraph>
      {stale && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('stale.title')} description={t('stale.descriptionShort')} data-testid="stale-notice"
          action={<Button size="small" onClick={() => { setStale(false); reload(); }} data-testid="stale-reload">{t('stale.reload')}</Button>} />
      )}
      {error && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={error} data-testid="weights-error" />}
      <Form<PriorityWeights> form={form} layout="inline" initialValues={weights} onFinish={(v) => void submit(v)} data-testid="weights-form" style={{ rowGap: 8 }}>
        {KEYS.map((k) => (
          <Form.Item key={k} name={k} label={labels[k]} rules={[{ required: true, message: t('validation.required') }, { type: 'number', min: 0, max: 10, message: t('requirement.weights.range') }]}>
            <InputNumber min={0} max={10} step={0.1} data-testid={`weight-${k}`} />
          </Form.Item>
        ))}
        <Button type="primary" htmlType="submit" loading={save.isPending} disabled={problem !== null} data-testid="weights-save">{t('common.save')}</Button>
      </Form>
      {problem && <Typography.Text type="danger" data-testid="weights-problem">{t(`requirement.weights.${problem}`)}</Typography.Text>}
      <Descriptions size="small" column={1} style={{ marginTop: 16 }} title={t('requirement.weights.example')}>
        <Descriptions.Item label={t('requirement.weights.exampleInput')}>{t('requirement.weights.exampleValues')}</Descriptions.Item>
        <Descriptions.Item label={t('requirement.score')}>
          <Space data-testid="weights-example">10 × {formatScore(example.sum, lang)} / {example.effort} = {formatScore(example.score, lang)}</Space>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
