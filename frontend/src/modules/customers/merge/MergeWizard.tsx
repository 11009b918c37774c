import { useMemo, useState } from 'react';
import { Alert, App, Button, Descriptions, Empty, Modal, Radio, Space, Spin, Steps, Table, Tag, Typography } from 'antd';
import { MergeCellsOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { isProblemError, type FieldError } from '../../../api/problem';
import type { Customer } from '../../../api/types';
import { can } from '../../../app/permissions';
import { formatNumber } from '../../../i18n/format';
import { CustomerPicker } from '../../../ui/CustomerPicker';
import { MaskedValue } from '../../../ui/PersonalValue';
import { fieldErrorText, problemText } from '../../../ui/problemText';
import { useMe } from '../../auth/useSession';
import { useCustomer } from '../useCustomers';
import {
  MOVED_KINDS, builtInFields, comparedFields, customFields, defaultSide, isMasked, movedTotal, ofKind,
  type FieldChoices, type MergeField, type MergeSide,
} from './fields';
import { useCustomerFieldDefs, useMergeCustomer, useMergePreview, type CustomerMergeResult } from './useMerge';

/**
 * "Merge a duplicate" on a customer's page, for those who may change customers and bin one: opens
 * the wizard that merges another customer into this one.
 */
export function MergeCustomerButton({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const [open, setOpen] = useState(false);
  // the server needs update rights on this customer and delete rights on the other
  if (!can(me, 'customers', 'update') || !can(me, 'customers', 'delete')) return null;
  return (
    <>
      <Button icon={<MergeCellsOutlined />} onClick={() => setOpen(true)} data-testid="customer-merge">
        {t('customerMerge.action')}
      </Button>
      {open && <MergeWizard survivor={customer} onClose={() => setOpen(false)} />}
    </>
  );
}

type Step = 'pick' | 'compare' | 'preview';
const STEPS: readonly Step[] = ['pick', 'compare', 'preview'];

/**
 * Merges a duplicate into `survivor` in three steps: pick the other customer; choose, field by
 * field where they differ, whose value stays (the server's default preselected) and see what the
 * merge would do (a dry run); confirm. The survivor's page then shows the merged record.
 */
export function MergeWizard({ survivor, onClose, otherId: preselected, onMerged }: {
  survivor: Customer;
  onClose: () => void;
  /** The other customer, already picked (e.g. a duplicate the check found); the user may still change it. */
  otherId?: string;
  /** Called after the merge instead of opening the survivor's page (e.g. a list that stays where it is). */
  onMerged?: (result: CustomerMergeResult) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const [step, setStep] = useState<Step>('pick');
  const [otherId, setOtherId] = useState<string | undefined>(preselected);
  /** Only the choices the user made; the others are left to the server's default. */
  const [choices, setChoices] = useState<FieldChoices>({});
  const other = useCustomer(otherId ?? '', Boolean(otherId));
  const defs = useCustomerFieldDefs();
  const preview = useMergePreview();
  const merge = useMergeCustomer();

  const otherCustomer = otherId && other.data?.id === otherId ? other.data : undefined;
  const kindMismatch = otherCustomer !== undefined && otherCustomer.kind !== survivor.kind;
  const fields = useMemo(
    () => (otherCustomer ? comparedFields(survivor, otherCustomer, defs.data, t, lang) : []),
    [survivor, otherCustomer, defs.data, t, lang],
  );
  const sideOf = (f: MergeField): MergeSide => choices[f.key] ?? defaultSide(f, survivor);
  const request = () => ({ survivorId: survivor.id, otherId: otherId ?? '', choices });

  const pickOther = (id: string | undefined) => {
    setOtherId(id);
    setChoices({});
    preview.reset();
  };
  const choose = (key: string, side: MergeSide) => {
    setChoices((c) => ({ ...c, [key]: side }));
    preview.reset();
  };
  const goTo = (next: Step) => {
    preview.reset();
    merge.reset();
    setStep(next);
  };
  const runPreview = () => {
    merge.reset();
    preview.mutate(request(), { onSuccess: () => setStep('preview') });
  };
  const confirm = () =>
    merge.mutate(request(), {
      onSuccess: (res) => {
        void message.success(t('customerMerge.done', { name: otherCustomer?.name ?? '', count: movedTotal(res.moved) }));
        onClose();
        if (onMerged) {
          onMerged(res);
          return;
        }
        const page = `/customers/${res.survivor.id}`;
        if (location.pathname !== page) navigate(page);
      },
    });

  const failure = step === 'preview' ? merge.error ?? null : preview.error ?? null;

  const footer = (() => {
    const cancel = (
      <Button key="cancel" onClick={onClose} disabled={merge.isPending}>
        {t('common.cancel')}
      </Button>
    );
    if (step === 'pick') {
      return [
        cancel,
        <Button key="next" type="primary" disabled={!otherCustomer || kindMismatch} onClick={() => goTo('compare')} data-testid="merge-next">
          {t('customerMerge.next')}
        </Button>,
      ];
    }
    if (step === 'compare') {
      return [
        cancel,
        <Button key="back" onClick={() => goTo('pick')} data-testid="merge-back">{t('customerMerge.back')}</Button>,
        <Button key="preview" type="primary" loading={preview.isPending} onClick={runPreview} data-testid="merge-preview">
          {t('customerMerge.preview')}
        </Button>,
      ];
    }
    return [
      cancel,
      <Button key="back" onClick={() => goTo('compare')} disabled={merge.isPending} data-testid="merge-back">{t('customerMerge.back')}</Button>,
      <Button key="confirm" type="primary" danger loading={merge.isPending} onClick={confirm} data-testid="merge-confirm">
        {t('customerMerge.confirm')}
      </Button>,
    ];
  })();

  return (
    <Modal
      open
      title={t('customerMerge.title', { name: survivor.name })}
      onCancel={() => !merge.isPending && onClose()}
      footer={footer}
      width={880}
      keyboard
    >
      <div data-testid="merge-wizard">
      <Steps
        size="small"
        current={STEPS.indexOf(step)}
        style={{ marginBottom: 16 }}
        items={STEPS.map((s) => ({ title: t(`customerMerge.steps.${s}`) }))}
      />
      {failure && <MergeProblem error={failure} />}
      {step === 'pick' && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph>{t('customerMerge.pickHelp', { name: survivor.name })}</Typography.Paragraph>
          <CustomerPicker
            value={otherId}
            onChange={pickOther}
            exclude={[survivor.id]}
            placeholder={t('customerMerge.pickPlaceholder')}
            style={{ width: '100%' }}
            data-testid="merge-other"
          />
          {otherId && other.isPending && <Spin />}
          {otherId && other.isError && <MergeProblem error={other.error} />}
          {kindMismatch && <Alert type="error" showIcon data-testid="merge-kind-mismatch" title={t('problem.customer.merge_kind_mismatch')} />}
        </Space>
      )}
      {step === 'compare' && otherCustomer && (
        <Compare survivor={survivor} other={otherCustomer} fields={fields} sideOf={sideOf} choose={choose} loadingLabels={defs.isPending} />
      )}
      {step === 'preview' && preview.data && otherCustomer && <Preview result={preview.data} other={otherCustomer} />}
      </div>
    </Modal>
  );
}

/** Why the server refused: its sentence in the UI's language, and each invalid field's. */
function MergeProblem({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
  const fieldErrors = isProblemError(error) ? error.fieldErrors : [];
  const fieldText = (f: FieldError) => {
    if (f.field === 'other_id' && f.code === 'not_found') return t('customerMerge.otherNotFound');
    if (f.field === 'other_id' && f.code === 'invalid') return t('customerMerge.sameCustomer');
    // an unknown choice (`field_choices.<x>`): which one, and why
    return f.field.startsWith('field_choices.') ? `${f.field.slice('field_choices.'.length)}: ${fieldErrorText(f, i18n)}` : fieldErrorText(f, i18n);
  };
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="merge-error"
      title={problemText(error, i18n)}
      description={
        fieldErrors.length > 0 ? (
          <ul style={{ margin: 0, paddingInlineStart: 20 }}>
            {fieldErrors.map((f) => (
              <li key={`${f.field}-${f.code}`}>{fieldText(f)}</li>
            ))}
          </ul>
        ) : undefined
      }
    />
  );
}

/** A value as the server sent it: masked ones stay masked (with a note), never revealed here. */
function Value({ field, record }: { field: MergeField; record: Customer }) {
  const shown = field.shown(record);
  if (isMasked(field, record)) return <MaskedValue value={shown} masked empty="—" />;
  return <span>{shown ?? '—'}</span>;
}

function Compare({ survivor, other, fields, sideOf, choose, loadingLabels }: {
  survivor: Customer;
  other: Customer;
  fields: MergeField[];
  sideOf: (f: MergeField) => MergeSide;
  choose: (key: string, side: MergeSide) => void;
  loadingLabels: boolean;
}) {
  const { t } = useTranslation();
  const cell = (f: MergeField, side: MergeSide, record: Customer) => (
    <Radio
      name={`merge-${f.key}`}
      value={side}
      checked={sideOf(f) === side}
      onChange={() => choose(f.key, side)}
      data-testid={`merge-pick-${f.key}-${side}`}
    >
      <Value field={f} record={record} />
    </Radio>
  );
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph>{t('customerMerge.compareHelp')}</Typography.Paragraph>
      {fields.length === 0 ? (
        loadingLabels ? <Spin /> : <Empty description={t('customerMerge.nothingDiffers')} data-testid="merge-nothing-differs" />
      ) : (
        <Table<MergeField>
          size="small"
          rowKey="key"
          pagination={false}
          dataSource={fields}
          data-testid="merge-compare"
          onRow={(f) => ({ 'data-testid': `merge-row-${f.key}`, 'data-side': sideOf(f) }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { key: 'field', title: t('customerMerge.field'), width: 160, render: (_, f) => f.label },
            {
              key: 'survivor',
              title: <span>{t('customerMerge.survivorColumn')}<br /><Typography.Text type="secondary">{survivor.name}</Typography.Text></span>,
              render: (_, f) => cell(f, 'survivor', survivor),
            },
            {
              key: 'other',
              title: <span>{t('customerMerge.otherColumn')}<br /><Typography.Text type="secondary">{other.name}</Typography.Text></span>,
              render: (_, f) => cell(f, 'other', other),
            },
          ]}
        />
      )}
      <Typography.Text type="secondary">{t('customerMerge.defaultsNote')}</Typography.Text>
    </Space>
  );
}

function Preview({ result, other }: { result: CustomerMergeResult; other: Customer }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const defs = useCustomerFieldDefs();
  const s = result.survivor;
  const taken = new Set(result.taken_from_other);
  const fields = [...builtInFields(t, lang).filter((f) => ofKind(f, s.kind)), ...customFields(s, s, defs.data, t, lang)];
  const kinds = [...MOVED_KINDS, ...Object.keys(result.moved).filter((k) => !(MOVED_KINDS as readonly string[]).includes(k))];
  const movedLabel = (kind: string) => ((MOVED_KINDS as readonly string[]).includes(kind) ? t(`customerMerge.moved.${kind}`) : kind);
  const kept = Object.entries(result.kept_external_ids);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="merge-result-preview">
      <Alert type="warning" showIcon title={t('customerMerge.previewWarning', { name: other.name })} />
      <Descriptions
        size="small"
        bordered
        title={t('customerMerge.survivorAfter')}
        column={{ xs: 1, sm: 2 }}
        data-testid="merge-survivor-after"
      >
        {fields.map((f) => (
          <Descriptions.Item
            key={f.key}
            label={
              <span>
                {f.label}
                {taken.has(f.key) && <Tag color="blue" style={{ marginInlineStart: 6 }} data-testid={`merge-taken-${f.key}`}>{t('customerMerge.fromOther')}</Tag>}
              </span>
            }
          >
            <Value field={f} record={s} />
          </Descriptions.Item>
        ))}
        <Descriptions.Item label={t('customer.tags')}>{s.tags.length ? s.tags.join(', ') : '—'}</Descriptions.Item>
      </Descriptions>
      <Descriptions size="small" bordered title={t('customerMerge.movedTitle')} column={{ xs: 1, sm: 2 }} data-testid="merge-moved">
        {kinds.map((kind) => (
          <Descriptions.Item key={kind} label={movedLabel(kind)}>
            <span data-testid={`merge-moved-${kind}`}>{formatNumber(result.moved[kind] ?? 0, lang)}</span>
          </Descriptions.Item>
        ))}
      </Descriptions>
      {kept.length > 0 && (
        <Alert
          type="info"
          showIcon
          data-testid="merge-kept-external-ids"
          title={t('customerMerge.keptExternalIds', { name: other.name })}
          description={kept.map(([system, id]) => `${system}: ${id}`).join(' · ')}
        />
      )}
    </Space>
  );
}
