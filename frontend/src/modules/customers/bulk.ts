import { useState, type Key } from 'react';
import { App } from 'antd';
import type { TableProps } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, must } from '../../api/client';
import type { components } from '../../api/generated/schema';
import type { Customer, CustomField } from '../../api/types';
import type { TFunction } from 'i18next';
import { formatDateTime, formatNumber } from '../../i18n/format';
import { valueText } from '../customFields/CustomFieldValues';
import { customerKeys } from './useCustomers';

/** The most customers one bulk action takes (the server's limit too). */
export const MAX_SELECTED = 1000;

export const BULK_ACTIONS = ['assign', 'add_tags', 'remove_tags', 'set_stage', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export type BulkBody = Omit<components['schemas']['BulkCustomerAction'], 'action'> & { action: BulkAction };
export type BatchResponse = components['schemas']['BatchResponse'];

/**
 * `POST /customers/bulk`: one request for the selection, each customer written as a single PATCH
 * or DELETE would be, one result per id. Every customer query is stale afterwards, whatever the
 * outcome (some may have been written before a failure).
 */
export function useBulkCustomers() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: BulkBody): Promise<BatchResponse> => must(await api.POST('/api/v1/customers/bulk', { body })),
    onSettled: (answer, _error, body) => {
      if (answer && body.action === 'delete') {
        for (const r of answer.results) if (!r.error) qc.removeQueries({ queryKey: customerKeys.one(body.ids[r.index] ?? '') });
      }
      void qc.invalidateQueries({ queryKey: customerKeys.all });
    },
  });
}

/**
 * The list's selection, by id, kept while more pages load and while the filters change, until it is
 * cleared; at most {@link MAX_SELECTED} (more are refused with a message). Each selected customer's
 * row is kept as it was loaded, to name it in results and to export it.
 */
export function useCustomerSelection(max = MAX_SELECTED) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [selected, setSelected] = useState<ReadonlyMap<string, Customer>>(() => new Map());

  const onChange = (keys: Key[], rows: (Customer | undefined)[]) => {
    const wanted = new Set(keys.map(String));
    const loaded = new Map(rows.filter((r): r is Customer => r !== undefined).map((r) => [r.id, r]));
    const next = new Map<string, Customer>();
    for (const [id, row] of selected) if (wanted.has(id)) next.set(id, loaded.get(id) ?? row);
    let refused = 0;
    for (const id of wanted) {
      if (next.has(id)) continue;
      const row = loaded.get(id);
      if (!row) continue;
      if (next.size >= max) refused += 1;
      else next.set(id, row);
    }
    if (refused > 0) void message.warning(t('customers.bulk.tooMany', { max: formatNumber(max, i18n.language) }));
    setSelected(next);
  };

  const rowSelection: NonNullable<TableProps<Customer>['rowSelection']> = {
    selectedRowKeys: [...selected.keys()],
    preserveSelectedRowKeys: true,
    onChange,
    columnWidth: 40,
  };

  return {
    selected,
    rowSelection,
    clear: () => setSelected(new Map()),
    /** Drops these ids (those an action succeeded for) from the selection. */
    drop: (ids: Iterable<string>) =>
      setSelected((current) => {
        const next = new Map(current);
        for (const id of ids) next.delete(id);
        return next;
      }),
  };
}

export type CustomerSelection = ReturnType<typeof useCustomerSelection>;

/** One exported column: its heading and a customer's cell as text. */
export interface CsvColumn<T> {
  title: string;
  text: (record: T) => string;
}

/**
 * One CSV cell: never read as a formula by a spreadsheet (a leading `=`, `+`, `-`, `@`, tab or
 * carriage return gets a `'`, as the server's exports do), quoted as RFC 4180 says when it must be.
 */
export function csvCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV file of `rows` in `columns` with a UTF-8 byte order mark (Excel reads Chinese right), CRLF lines. */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvCell(c.title)), ...rows.map((r) => columns.map((c) => csvCell(c.text(r))))];
  return `\uFEFF${lines.map((l) => l.join(',')).join('\r\n')}\r\n`;
}

/** What the CSV of a selection needs to write cells as the list shows them. */
export interface CellContext {
  t: TFunction;
  language: string;
  /** The custom fields in use, for `cf.<key>` columns. */
  fields: readonly CustomField[];
  /** A user's name for a user custom field (its id when unknown). */
  userName: (id: string) => string;
}

/** A list column's cell as text, the way the table shows it (the row as loaded: personal values masked). */
export function cellText(key: string, c: Customer, { t, language, fields, userName }: CellContext): string {
  if (key.startsWith('cf.')) {
    const field = fields.find((f) => `cf.${f.key}` === key);
    const value = (c.custom_fields as Record<string, unknown> | null | undefined)?.[key.slice(3)];
    if (!field || value === undefined || value === null) return '';
    if (field.field_type === 'user' && typeof value === 'string') return userName(value);
    return valueText(field, value, language, { yes: t('customField.yes'), no: t('customField.no') }) ?? '';
  }
  switch (key) {
    case 'lifecycle_stage':
      return t(`stage.${c.lifecycle_stage}`);
    case 'kind':
      return t(`kind.${c.kind}`);
    case 'region':
      return [c.province, c.city, c.district].filter(Boolean).join(' / ');
    case 'value_tier':
      return c.value_tier ? t(`tier.${c.value_tier}`) : '';
    case 'tags':
      return c.tags.join(', ');
    case 'last_interaction_at':
    case 'created_at':
    case 'updated_at':
      return formatDateTime(c[key], language);
    default: {
      const value: unknown = (c as Record<string, unknown>)[key];
      return value === undefined || value === null ? '' : String(value as string | number);
    }
  }
}

/** The CSV columns of the list's visible columns, headed by their titles. */
export function csvColumns(keys: readonly string[], titleOf: (key: string) => string, ctx: CellContext): CsvColumn<Customer>[] {
  return keys.map((key) => ({
    title: titleOf(key),
    text: (c) => cellText(key, c, ctx),
  }));
}
