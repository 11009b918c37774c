import { cloneElement, type ReactElement, type ReactNode } from 'react';
import { App, Button, Form, Space, Tooltip, Typography, type FormItemProps } from 'antd';
import { EyeOutlined } from '@ant-design/icons';
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, must } from '../api/client';
import { isProblemError } from '../api/problem';
import type { Contact, Customer } from '../api/types';
import { problemText } from './problemText';

/** The records whose personal fields the server can show in clear (`POST …/{id}/reveal`). */
export type RevealKind = 'customer' | 'contact';

/** What every record with personal fields carries: which of them the server sent masked. */
export interface Personal {
  id: string;
  version: number;
  masked: string[];
}

/**
 * Where the clear record of one reveal is kept: in the query cache, for as long as something on
 * the page shows that record (never refetched, dropped when the page goes). Keyed by version, so a
 * record changed since shows as the server sends it now.
 */
export const revealKey = (kind: RevealKind, id: string, version: number) => ['personal', kind, id, version] as const;

/** Asks the server for the record in clear; the server writes a `reveal` audit entry (403 when the role's `pii` scope does not reach it). */
export async function fetchClear(kind: RevealKind, id: string): Promise<Customer | Contact> {
  return kind === 'customer'
    ? must(await api.POST('/api/v1/customers/{id}/reveal', { params: { path: { id } } }))
    : must(await api.POST('/api/v1/contacts/{id}/reveal', { params: { path: { id } } }));
}

/**
 * One record as the page shows it: in clear once someone revealed it (any field of it, anywhere on
 * the page), else as the server sent it. `reveal` asks the server for the clear record, which
 * writes an audit entry; a refusal (403, the role's `pii` scope does not reach the record) shows
 * the server's sentence, already in the UI's language.
 */
export function useReveal<T extends Personal>(kind: RevealKind, record: T) {
  const qc = useQueryClient();
  const key = revealKey(kind, record.id, record.version);
  const clear = useQuery({ queryKey: key, queryFn: skipToken, staleTime: Infinity, gcTime: 0 });
  const action = useRevealAction<T>(kind);
  const shown = (clear.data as T | undefined) ?? record;
  return {
    shown,
    isMasked: (field: string) => shown.masked.includes(field),
    /** Reveals the record; `onClear` also gets the clear record (an edit form fills its inputs with it). */
    reveal: (onClear?: (clear: T) => void) =>
      action.reveal(record.id, (data) => {
        qc.setQueryData(key, data);
        onClear?.(data);
      }),
    pending: action.pending,
  };
}

/**
 * The reveal request of any record of a kind (an edit dialog reveals the record it edits, which
 * changes): asks for the clear record, which the server audits; a refusal (403) shows the server's
 * sentence, any other failure why, in the UI's language.
 */
export function useRevealAction<T extends Personal>(kind: RevealKind) {
  const { i18n } = useTranslation();
  const { message } = App.useApp();
  const mutation = useMutation({
    mutationFn: (id: string) => fetchClear(kind, id) as unknown as Promise<T>,
    onError: (e) => {
      const refused = isProblemError(e) && e.status === 403 && e.problem.detail;
      void message.error(refused || problemText(e, i18n));
    },
  });
  return {
    reveal: (id: string, onClear: (clear: T) => void) => mutation.mutate(id, { onSuccess: onClear }),
    pending: mutation.isPending,
  };
}

/** The eye that reveals a record (audited). */
export function RevealButton({ onClick, pending, 'data-testid': testId = 'personal-reveal' }: { onClick: () => void; pending: boolean; 'data-testid'?: string }) {
  const { t } = useTranslation();
  return (
    <Tooltip title={t('personal.reveal')}>
      <Button type="text" size="small" icon={<EyeOutlined />} loading={pending} onClick={onClick} aria-label={t('personal.reveal')} data-testid={testId} />
    </Tooltip>
  );
}

interface MaskableItemProps extends Omit<FormItemProps, 'children'> {
  name: string;
  /** Whether the record the form edits carries this field masked. */
  masked: boolean;
  onReveal: () => void;
  revealing: boolean;
  /** The input, bound to `name`. */
  children: ReactElement<{ disabled?: boolean }>;
}

/**
 * A form field for a personal value. Masked, it is not edited blind: the input is disabled, shows
 * the masked value and an eye beside it; the eye reveals the record (audited) and the form fills
 * in the clear values, which enables the input. The form never sends a masked value back: it is
 * unchanged while disabled, and unchanged fields are left out of the patch.
 */
export function MaskableItem({ name, masked, onReveal, revealing, children, label, rules, dependencies, ...item }: MaskableItemProps) {
  const { t } = useTranslation();
  if (!masked) {
    return (
      <Form.Item name={name} label={label} rules={rules} dependencies={dependencies} {...item}>
        {children}
      </Form.Item>
    );
  }
  // the rules go with the value, on the named item; its errors show on the labelled one around it
  return (
    <Form.Item label={label} {...item} extra={t('personal.maskedInForm')} data-testid={`masked-field-${name}`}>
      <Space.Compact block>
        <Form.Item name={name} rules={rules} dependencies={dependencies} noStyle>
          {cloneElement(children, { disabled: true })}
        </Form.Item>
        <RevealButton onClick={onReveal} pending={revealing} data-testid={`reveal-${name}`} />
      </Space.Compact>
    </Form.Item>
  );
}

interface Props<T extends Personal> {
  kind: RevealKind;
  record: T;
  field: keyof T & string;
  /** How a value in clear is shown (a `tel:` link, a date); as text when not given. */
  render?: (value: string) => ReactNode;
  /** What stands for no value at all. */
  empty?: ReactNode;
  'data-testid'?: string;
}

/**
 * One personal field of a customer or contact: in clear when the caller may see it, else masked
 * (`138****5678`; a birthday, which has no masked form, as "Hidden") with an eye that reveals the
 * record in place.
 */
export function PersonalValue<T extends Personal>({ kind, record, field, render, empty = null, ...rest }: Props<T>) {
  const { t } = useTranslation();
  const { shown, isMasked, reveal, pending } = useReveal(kind, record);
  const value = shown[field] as unknown as string | null | undefined;
  if (!isMasked(field)) {
    return <span data-testid={rest['data-testid']}>{value ? (render ? render(value) : value) : empty}</span>;
  }
  return (
    <span data-testid={rest['data-testid']} data-masked="true" className="personal-masked">
      {value ? <span>{value}</span> : <Typography.Text type="secondary">{t('personal.hidden')}</Typography.Text>}
      <RevealButton onClick={() => reveal()} pending={pending} />
    </span>
  );
}

/**
 * A personal field of a record that has no reveal of its own (a portal account's email): masked
 * as the server sent it, with a note saying why.
 */
export function MaskedValue({ value, masked, empty = null, ...rest }: { value: string | null | undefined; masked: boolean; empty?: ReactNode; 'data-testid'?: string }) {
  const { t } = useTranslation();
  if (!masked) return <span data-testid={rest['data-testid']}>{value || empty}</span>;
  return (
    <Tooltip title={t('personal.maskedHint')}>
      <span data-testid={rest['data-testid']} data-masked="true" className="personal-masked">
        {value || <Typography.Text type="secondary">{t('personal.hidden')}</Typography.Text>}
      </span>
    </Tooltip>
  );
}
