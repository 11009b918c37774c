import { useEffect, useMemo, useState } from 'react';
import {
  Alert, App, Button, Checkbox, Col, DatePicker, Divider, Form, Input, Radio, Row, Select, Space, Switch, Tag, TimePicker,
  Tooltip, Typography,
} from 'antd';
import type { FormInstance } from 'antd';
import { StarOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { isProblemError, type FieldError } from '../../api/problem';
import { TICKET_PRIORITIES, WEEKDAYS, type SlaPolicy, type TicketPriority } from '../../api/types';
import { DurationInput } from '../../ui/DurationInput';
import { ErrorResult } from '../../ui/ErrorResult';
import { fillForm, FormModal } from '../../ui/FormModal';
import { scrollToFirstError, setFieldProblems } from '../../ui/formErrors';
import { fieldErrorText, hasCode, useProblemText } from '../../ui/problemText';
import { PriorityTag } from '../activities/labels';
import { formatSpan } from '../service/sla';
import { useDeleteSlaPolicy, useSaveSlaPolicy, useSlaPolicies } from '../service/useSlaPolicies';
import {
  DEFAULT_TIME_ZONE, MAX_TARGET_MINUTES, newPolicyValues, policyErrors, policyToForm, toCreateSlaPolicy, toSlaPolicyPatch,
  type SlaPolicyFormValues, type SlaSection,
} from './slaPolicyForm';
import { FullTable } from '../../ui/FullTable';
import { NewButton } from '../../ui/NewButton';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { enumOptions } from '../../ui/useOptions';

/** Priorities from the most urgent, as the targets table lists them. */
const BY_URGENCY: readonly TicketPriority[] = [...TICKET_PRIORITIES].reverse();

/** The zones a browser knows, Shanghai first; the current value stays even when unknown. */
function timeZoneOptions(current: string | undefined) {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  const list = [...new Set([DEFAULT_TIME_ZONE, ...(current ? [current] : []), 'UTC', ...zones])];
  return list.map((z) => ({ value: z, label: z }));
}

function PolicyModal({ open, policy, onClose }: { open: boolean; policy: SlaPolicy | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<SlaPolicyFormValues>();
  const save = useSaveSlaPolicy();
  const problemText = useProblemText();
  // the failed save itself, so its sentences follow a language switch
  const [failure, setFailure] = useState<{ error: unknown } | null>(null);
  const businessHours = Form.useWatch('business_hours', form) as boolean | undefined;
  const zone = Form.useWatch(['calendar', 'time_zone'], form) as string | undefined;
  const zones = useMemo(() => timeZoneOptions(zone), [zone]);

  useEffect(() => {
    if (!open) return;
    setFailure(null);
    form.resetFields();
    fillForm(form, policy ? policyToForm(policy) : newPolicyValues());
  }, [open, policy, form]);

  const submit = async () => {
    let v: SlaPolicyFormValues;
    try {
      v = await form.validateFields();
      // fields of a hidden calendar are not returned by validateFields: take the whole store
      v = { ...(form.getFieldsValue(true) as SlaPolicyFormValues), ...v };
    } catch (invalid) {
      scrollToFirstError(form, invalid);
      return;
    }
    setFailure(null);
    try {
      if (policy) {
        const patch = toSlaPolicyPatch(policy, v);
        if (Object.keys(patch).length > 0) await save.mutateAsync({ kind: 'update', policy, patch });
      } else {
        await save.mutateAsync({ kind: 'create', body: toCreateSlaPolicy(v) });
      }
      void message.success(t('common.saved'));
      onClose();
    } catch (e) {
      if (hasCode(e, 'sla_policy.name_taken')) {
        form.setFields([{ name: 'name', errors: [problemText(e)] }]);
        form.scrollToField('name');
        return;
      }
      setFailure({ error: e });
      // the server's paths are not known to the form's types
      if (isProblemError(e)) setFieldProblems(form as FormInstance, policyErrors(e.fieldErrors));
    }
  };

  const sorted = failure && isProblemError(failure.error) ? policyErrors(failure.error.fieldErrors) : null;
  const texts = (errors: FieldError[]) => errors.map((e) => fieldErrorText(e, i18n));
  const matched = sorted !== null && (sorted.fields.length > 0 || Object.keys(sorted.sections).length > 0);
  const formError =
    failure && (sorted === null || sorted.other.length > 0 || !matched)
      ? [problemText(failure.error), ...(sorted?.other ?? []).map((e) => `${e.field}: ${fieldErrorText(e, i18n)}`)].join(' · ')
      : null;

  const sectionError = (section: SlaSection) =>
    sorted?.sections[section]?.length ? (
      <Alert type="error" showIcon title={texts(sorted.sections[section]).join(' · ')} style={{ marginBottom: 12 }} data-testid={`sla-${section}-error`} />
    ) : null;

  const required = { required: true, message: t('validation.required') };
  const targetRules = [
    required,
    { type: 'integer' as const, min: 1, max: MAX_TARGET_MINUTES, message: t('validation.range', { min: 1, max: MAX_TARGET_MINUTES }) },
  ];

  return (
    <FormModal
      form={form}
      open={open}
      width={800}
      title={policy ? t('slaPolicy.edit') : t('slaPolicy.new')}
      onCancel={onClose}
      onOk={() => void submit()}
      confirmLoading={save.isPending}
      okTestId="sla-save"
    >
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} data-testid="sla-form-error" />}
      <Form form={form} layout="vertical" initialValues={newPolicyValues()} data-testid="sla-form">
        <Row gutter={12}>
          <Col xs={24} sm={14}>
            <Form.Item name="name" label={t('slaPolicy.name')} rules={[{ ...required, whitespace: true }, { max: 100 }]}>
              <Input data-testid="sla-name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={10}>
            <Form.Item
              name="is_default"
              label={t('slaPolicy.isDefault')}
              valuePropName="checked"
              extra={policy?.is_default ? t('slaPolicy.defaultStays') : t('slaPolicy.defaultHint')}
            >
              <Switch disabled={Boolean(policy?.is_default)} data-testid="sla-default" />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="business_hours" label={t('slaPolicy.schedule')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: false, label: <span data-testid="sla-schedule-24x7">{t('slaPolicy.aroundTheClock')}</span> },
                  { value: true, label: <span data-testid="sla-schedule-business">{t('slaPolicy.businessHours')}</span> },
                ]}
              />
            </Form.Item>
          </Col>
        </Row>
        {businessHours !== false && (
          <div data-testid="sla-calendar">
            <Divider titlePlacement="start" plain>{t('slaPolicy.calendar')}</Divider>
            {sectionError('calendar')}
            <Row gutter={12}>
              <Col xs={24} sm={12}>
                <Form.Item name={['calendar', 'time_zone']} label={t('slaPolicy.timeZone')} rules={[required]}>
                  <Select showSearch={{ optionFilterProp: 'label' }} options={zones} data-testid="sla-time-zone" />
                </Form.Item>
              </Col>
              <Col xs={12} sm={6}>
                <Form.Item name={['calendar', 'start']} label={t('slaPolicy.opens')} rules={[required]}>
                  <TimePicker format="HH:mm" minuteStep={5} needConfirm={false} style={{ width: '100%' }} data-testid="sla-start" />
                </Form.Item>
              </Col>
              <Col xs={12} sm={6}>
                <Form.Item
                  name={['calendar', 'end']}
                  label={t('slaPolicy.closes')}
                  dependencies={[['calendar', 'start']]}
                  rules={[
                    required,
                    ({ getFieldValue }) => ({
                      validator: (_r, end?: Dayjs | null) => {
                        const start = getFieldValue(['calendar', 'start']) as Dayjs | null | undefined;
                        return end && start && end.format('HH:mm') <= start.format('HH:mm')
                          ? Promise.reject(new Error(t('slaPolicy.endAfterStart')))
                          : Promise.resolve();
                      },
                    }),
                  ]}
                >
                  <TimePicker format="HH:mm" minuteStep={5} needConfirm={false} style={{ width: '100%' }} data-testid="sla-end" />
                </Form.Item>
              </Col>
              <Col xs={24}>
                <Form.Item
                  name={['calendar', 'weekdays']}
                  label={t('slaPolicy.weekdays')}
                  rules={[{ type: 'array', min: 1, message: t('slaPolicy.pickWeekday') }]}
                >
                  <Checkbox.Group options={enumOptions(t, WEEKDAYS, 'weekday')} data-testid="sla-weekdays" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name={['calendar', 'holidays']} label={t('slaPolicy.holidays')} extra={t('slaPolicy.holidaysHint')}>
                  <DatePicker multiple maxTagCount="responsive" style={{ width: '100%' }} data-testid="sla-holidays" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name={['calendar', 'extra_workdays']} label={t('slaPolicy.extraWorkdays')} extra={t('slaPolicy.extraWorkdaysHint')}>
                  <DatePicker multiple maxTagCount="responsive" style={{ width: '100%' }} data-testid="sla-extra-workdays" />
                </Form.Item>
              </Col>
            </Row>
          </div>
        )}
        <Divider titlePlacement="start" plain>{t('slaPolicy.targets')}</Divider>
        <Typography.Paragraph type="secondary">{t('slaPolicy.targetsHint')}</Typography.Paragraph>
        {sectionError('targets')}
        <div data-testid="sla-targets">
          {BY_URGENCY.map((p) => (
            <Row gutter={12} key={p} align="top" data-testid={`sla-target-${p}`}>
              <Col xs={24} sm={4} style={{ paddingTop: 30 }}>
                <PriorityTag priority={p} />
              </Col>
              <Col xs={24} sm={10}>
                <Form.Item name={['targets', p, 'first_response_minutes']} label={t('slaPolicy.firstResponse')} rules={targetRules}>
                  <DurationInput data-testid={`sla-${p}-first`} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={10}>
                <Form.Item
                  name={['targets', p, 'resolution_minutes']}
                  label={t('slaPolicy.resolution')}
                  dependencies={[['targets', p, 'first_response_minutes']]}
                  rules={[
                    ...targetRules,
                    ({ getFieldValue }) => ({
                      validator: (_r, v?: number | null) => {
                        const first = getFieldValue(['targets', p, 'first_response_minutes']) as number | null | undefined;
                        return typeof v === 'number' && typeof first === 'number' && v < first
                          ? Promise.reject(new Error(t('slaPolicy.resolutionAfterResponse')))
                          : Promise.resolve();
                      },
                    }),
                  ]}
                >
                  <DurationInput data-testid={`sla-${p}-resolution`} />
                </Form.Item>
              </Col>
            </Row>
          ))}
        </div>
      </Form>
    </FormModal>
  );
}

/** Administrators keep the SLA policies: targets per priority on a 24×7 or business-hours calendar. */
export function SlaPoliciesTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const policies = useSlaPolicies();
  const save = useSaveSlaPolicy();
  const remove = useDeleteSlaPolicy();
  const [dialog, setDialog] = useState<{ open: boolean; policy: SlaPolicy | null }>({ open: false, policy: null });

  const problemText = useProblemText();

  const schedule = (p: SlaPolicy) =>
    p.business_hours
      ? t('slaPolicy.hoursSummary', {
          days: WEEKDAYS.filter((d) => p.calendar.weekdays.includes(d)).map((d) => t(`weekday.${d}`)).join(t('slaPolicy.listSeparator')),
          start: p.calendar.start,
          end: p.calendar.end,
          zone: p.calendar.time_zone,
        })
      : t('slaPolicy.aroundTheClock');

  if (policies.isError) return <ErrorResult error={policies.error} onRetry={() => void policies.refetch()} />;
  return (
    <div>
      <Typography.Paragraph type="secondary">{t('slaPolicy.intro')}</Typography.Paragraph>
      <NewButton onClick={() => setDialog({ open: true, policy: null })} data-testid="sla-new">{t('slaPolicy.new')}</NewButton>
      <FullTable<SlaPolicy>
        size="middle"
        query={policies}
        data-testid="sla-table"
        columns={[
          {
            title: t('slaPolicy.name'),
            key: 'name',
            render: (_: unknown, p: SlaPolicy) => (
              <Space>
                <span>{p.name}</span>
                {p.is_default && <Tag color="blue" data-testid="sla-default-tag">{t('slaPolicy.default')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('slaPolicy.schedule'),
            key: 'schedule',
            render: (_: unknown, p: SlaPolicy) => (
              <Space orientation="vertical" size={0}>
                <span>{schedule(p)}</span>
                {p.business_hours && (p.calendar.holidays?.length || p.calendar.extra_workdays?.length) ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('slaPolicy.daysSummary', { holidays: p.calendar.holidays?.length ?? 0, workdays: p.calendar.extra_workdays?.length ?? 0 })}
                  </Typography.Text>
                ) : null}
              </Space>
            ),
          },
          {
            title: t('slaPolicy.targets'),
            key: 'targets',
            render: (_: unknown, p: SlaPolicy) => (
              <Space orientation="vertical" size={0}>
                {BY_URGENCY.map((k) => (
                  <Typography.Text key={k} style={{ fontSize: 12 }}>
                    {t(`priority.${k}`)}: {formatSpan(p.targets[k].first_response_minutes * 60_000, t, { days: false })} /{' '}
                    {formatSpan(p.targets[k].resolution_minutes * 60_000, t, { days: false })}
                  </Typography.Text>
                ))}
              </Space>
            ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, p: SlaPolicy) => (
              <Space size={0}>
                <EditLink onClick={() => setDialog({ open: true, policy: p })} data-testid="sla-edit" />
                {!p.is_default && (
                  <Button
                    size="small"
                    type="link"
                    icon={<StarOutlined />}
                    loading={save.isPending && save.variables?.kind === 'update' && save.variables.policy.id === p.id}
                    onClick={() =>
                      save.mutate(
                        { kind: 'update', policy: p, patch: { is_default: true } },
                        { onSuccess: () => void message.success(t('slaPolicy.madeDefault', { name: p.name })), onError: (e) => void message.error(problemText(e)) },
                      )
                    }
                    data-testid="sla-make-default"
                  >
                    {t('slaPolicy.makeDefault')}
                  </Button>
                )}
                {p.is_default ? (
                  <Tooltip title={t('slaPolicy.defaultNotDeletable')}>
                    <Button size="small" type="link" danger disabled data-testid="sla-delete">
                      {t('common.delete')}
                    </Button>
                  </Tooltip>
                ) : (
                  <DeleteLink
                    confirm={t('slaPolicy.deleteConfirm')}
                    confirmButton={{ danger: true }}
                    onConfirm={() =>
                      remove.mutate(p, { onSuccess: () => void message.success(t('slaPolicy.deleted')), onError: (e) => void message.error(problemText(e)) })
                    }
                    data-testid="sla-delete"
                  />
                )}
              </Space>
            ),
          },
        ]}
      />
      <PolicyModal open={dialog.open} policy={dialog.policy} onClose={() => setDialog((d) => ({ ...d, open: false }))} />
    </div>
  );
}
