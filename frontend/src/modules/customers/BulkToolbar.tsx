import { useState } from 'react';
import { Alert, App, Button, Form, Modal, Popconfirm, Select, Space, Typography } from 'antd';
import { ClearOutlined, DeleteOutlined, DownloadOutlined, TagOutlined, TagsOutlined, UserSwitchOutlined, FlagOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { LIFECYCLE_STAGES, type Customer } from '../../api/types';
import { ProblemError, isProblemError, type Problem } from '../../api/problem';
import { can } from '../../app/permissions';
import { formatNumber } from '../../i18n/format';
import { saveBlob } from '../../ui/download';
import { fieldErrorText, problemText } from '../../ui/problemText';
import { enumOptions, useOwnerOptions, useTeamOptions } from '../../ui/useOptions';
import { useMe } from '../auth/useSession';
import { toCsv, useBulkCustomers, type BatchResponse, type BulkAction, type BulkBody, type CsvColumn, type CustomerSelection } from './bulk';

/** The actions that ask for a value first, in a dialog. */
type AskedAction = Exclude<BulkAction, 'delete'>;

interface AskValues {
  owner_id?: string;
  team_id?: string;
  tags?: string[];
  lifecycle_stage?: string;
}

/** What an action did, for the summary: its answer and the name of each customer it was sent for. */
interface Outcome {
  answer: BatchResponse;
  ids: string[];
  names: ReadonlyMap<string, string>;
}

const LABEL_KEYS: Record<BulkAction, string> = {
  assign: 'customers.bulk.assign',
  add_tags: 'customers.bulk.addTags',
  remove_tags: 'customers.bulk.removeTags',
  set_stage: 'customers.bulk.setStage',
  delete: 'customers.bulk.delete',
};

export interface BulkToolbarProps {
  selection: CustomerSelection;
  /** The rows loaded in the table now (fresher than those kept with the selection). */
  loaded: readonly Customer[];
  /** The list's visible columns, for "export selected". */
  columns: readonly CsvColumn<Customer>[];
}

/**
 * The bar over the customer list while rows are selected: how many, and what to do with them —
 * assign an owner (and team), add or remove tags, change the stage, delete (each one
 * `POST /customers/bulk`, then a summary naming the customers it failed for), export the selected
 * rows as loaded to CSV, or clear the selection.
 */
export function BulkToolbar({ selection, loaded, columns }: BulkToolbarProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const me = useMe().data;
  const owners = useOwnerOptions();
  const teams = useTeamOptions();
  const bulk = useBulkCustomers();
  const [asking, setAsking] = useState<AskedAction | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [form] = Form.useForm<AskValues>();
  const lang = i18n.language;
  const count = selection.selected.size;
  if (count === 0 && !outcome) return null;

  const canUpdate = can(me, 'customers', 'update');
  const canDelete = can(me, 'customers', 'delete');
  const canExport = can(me, 'customers', 'export');
  const n = formatNumber(count, lang);

  /** The selected rows in the table's order, then those no longer shown (another filter's), freshest first. */
  const selectedRows = (): Customer[] => {
    const shown = loaded.filter((r) => selection.selected.has(r.id));
    const shownIds = new Set(shown.map((r) => r.id));
    return [...shown, ...[...selection.selected.values()].filter((r) => !shownIds.has(r.id))];
  };

  const summaryText = (answer: BatchResponse) =>
    t('customers.bulk.summary', { succeeded: formatNumber(answer.succeeded, lang), failed: formatNumber(answer.failed, lang) });

  const run = async (body: Omit<BulkBody, 'ids'>): Promise<boolean> => {
    const rows = selectedRows();
    const ids = rows.map((r) => r.id);
    const names = new Map(rows.map((r) => [r.id, r.name]));
    try {
      const answer = await bulk.mutateAsync({ ...body, ids });
      selection.drop(answer.results.filter((r) => !r.error).map((r) => ids[r.index] ?? ''));
      if (answer.failed === 0) void message.success(summaryText(answer));
      else setOutcome({ answer, ids, names });
      return true;
    } catch (error) {
      const fields = isProblemError(error) ? error.fieldErrors.map((e) => fieldErrorText(e, i18n)) : [];
      const reason = [problemText(error, i18n), ...fields].join(lang.startsWith('zh') ? '；' : '; ');
      void message.error({ content: t('customers.bulk.failed', { reason }), duration: 6 });
      return false;
    }
  };

  const ask = (action: AskedAction) => {
    form.resetFields();
    setAsking(action);
  };

  const submitAsked = async () => {
    if (!asking) return;
    const values = await form.validateFields();
    const body: Omit<BulkBody, 'ids'> =
      asking === 'assign'
        ? { action: 'assign', owner_id: values.owner_id, ...(values.team_id ? { team_id: values.team_id } : {}) }
        : asking === 'set_stage'
          ? { action: 'set_stage', lifecycle_stage: values.lifecycle_stage }
          : { action: asking, tags: (values.tags ?? []).map((tag) => tag.trim()).filter(Boolean) };
    if (await run(body)) setAsking(null);
  };

  const exportSelected = () => {
    const rows = selectedRows();
    const file = `customers-selected-${dayjs().format('YYYYMMDD-HHmmss')}.csv`;
    saveBlob(new Blob([toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' }), file);
    void message.success(t('customers.bulk.exported', { n: formatNumber(rows.length, lang), file }));
  };

  // the tags of the selected customers, to pick from when removing (any may be typed)
  const selectedTags = [...new Set(selectedRows().flatMap((r) => r.tags))].sort();
  const busy = bulk.isPending;

  return (
    <>
      {count > 0 && (
        <Alert
          type="info"
          style={{ marginBottom: 12 }}
          data-testid="bulk-toolbar"
          title={
            <Space wrap>
              <Typography.Text strong data-testid="bulk-count">{t('customers.bulk.selected', { n })}</Typography.Text>
              {canUpdate && owners.enabled && (
                <Button size="small" icon={<UserSwitchOutlined />} disabled={busy} onClick={() => ask('assign')} data-testid="bulk-assign">
                  {t('customers.bulk.assign')}
                </Button>
              )}
              {canUpdate && (
                <>
                  <Button size="small" icon={<TagsOutlined />} disabled={busy} onClick={() => ask('add_tags')} data-testid="bulk-add-tags">
                    {t('customers.bulk.addTags')}
                  </Button>
                  <Button size="small" icon={<TagOutlined />} disabled={busy} onClick={() => ask('remove_tags')} data-testid="bulk-remove-tags">
                    {t('customers.bulk.removeTags')}
                  </Button>
                  <Button size="small" icon={<FlagOutlined />} disabled={busy} onClick={() => ask('set_stage')} data-testid="bulk-set-stage">
                    {t('customers.bulk.setStage')}
                  </Button>
                </>
              )}
              {canDelete && (
                <Popconfirm
                  title={t('customers.bulk.deleteConfirm', { n })}
                  okText={t('common.delete')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ danger: true, 'data-testid': 'bulk-delete-confirm' }}
                  onConfirm={() => run({ action: 'delete' })}
                >
                  <Button size="small" danger icon={<DeleteOutlined />} loading={busy && bulk.variables?.action === 'delete'} disabled={busy} data-testid="bulk-delete">
                    {t('customers.bulk.delete')}
                  </Button>
                </Popconfirm>
              )}
              {canExport && (
                <Button size="small" icon={<DownloadOutlined />} onClick={exportSelected} data-testid="bulk-export">
                  {t('customers.bulk.exportSelected')}
                </Button>
              )}
              <Button size="small" type="link" icon={<ClearOutlined />} disabled={busy} onClick={selection.clear} data-testid="bulk-clear">
                {t('customers.bulk.clear')}
              </Button>
            </Space>
          }
        />
      )}
      <Modal
        open={asking !== null}
        title={asking ? t(LABEL_KEYS[asking]) : undefined}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        onOk={() => void submitAsked()}
        onCancel={() => setAsking(null)}
        okButtonProps={{ 'data-testid': 'bulk-submit' }}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('customers.bulk.appliesTo', { n })}</Typography.Paragraph>
        <Form form={form} layout="vertical" preserve={false}>
          {asking === 'assign' && (
            <>
              <Form.Item name="owner_id" label={t('customer.owner')} rules={[{ required: true, message: t('validation.required') }]}>
                <Select showSearch={{ optionFilterProp: 'label' }} options={owners.options} loading={owners.loading} data-testid="bulk-owner" />
              </Form.Item>
              <Form.Item name="team_id" label={t('customer.team')}>
                <Select allowClear placeholder={t('customers.bulk.keepTeam')} options={teams.options} loading={teams.loading} data-testid="bulk-team" />
              </Form.Item>
            </>
          )}
          {(asking === 'add_tags' || asking === 'remove_tags') && (
            <Form.Item name="tags" label={t('customer.tags')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select
                mode="tags"
                tokenSeparators={[',', '，']}
                options={asking === 'remove_tags' ? selectedTags.map((tag) => ({ value: tag, label: tag })) : []}
                open={asking === 'remove_tags' ? undefined : false}
                suffixIcon={asking === 'remove_tags' ? undefined : null}
                data-testid="bulk-tags"
              />
            </Form.Item>
          )}
          {asking === 'set_stage' && (
            <Form.Item name="lifecycle_stage" label={t('customer.stage')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select options={enumOptions(t, LIFECYCLE_STAGES, 'stage')} data-testid="bulk-stage" />
            </Form.Item>
          )}
        </Form>
      </Modal>
      <Modal
        open={outcome !== null}
        title={t('customers.bulk.resultTitle')}
        onOk={() => setOutcome(null)}
        onCancel={() => setOutcome(null)}
        okText={t('common.confirm')}
        cancelButtonProps={{ style: { display: 'none' } }}
        data-testid="bulk-summary"
      >
        {outcome && (
          <>
            <Typography.Paragraph data-testid="bulk-summary-text">{summaryText(outcome.answer)}</Typography.Paragraph>
            <Typography.Paragraph type="secondary">{t('customers.bulk.failures')}</Typography.Paragraph>
            <ul style={{ maxHeight: 320, overflow: 'auto', paddingInlineStart: 20 }}>
              {outcome.answer.results
                .filter((r) => r.error)
                .map((r) => {
                  const id = outcome.ids[r.index] ?? '';
                  const reason = problemText(new ProblemError(r.error as Problem), i18n);
                  return (
                    <li key={r.index} data-testid="bulk-failure">
                      {t('customers.bulk.failure', { name: outcome.names.get(id) ?? id, reason })}
                    </li>
                  );
                })}
            </ul>
          </>
        )}
      </Modal>
    </>
  );
}
