import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, Form, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import type { i18n as I18n } from 'i18next';
import { isProblemError, type FieldError } from '../api/problem';
import { fillForm } from './FormModal';
import { fieldErrorText, hasCode, problemText } from './problemText';

/** The form field a problem+json `errors[].field` refers to (`contacts[0].email` → ['contacts', 0, 'email']). */
export function fieldPath(field: string): (string | number)[] {
  return field
    .replace(/^\//, '')
    .split(/[./[\]]+/)
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export interface MappedErrors {
  /** Field errors grouped by the form field they belong to. */
  fields: { name: (string | number)[]; errors: FieldError[] }[];
  /** Errors that match no field of the form, shown above it. */
  other: FieldError[];
}

/**
 * Server fields the form edits under another name: one input for several (省/市/区 → `region`), or
 * a body key the form's fields sit in (`weights` → '': `weights.urgency` is the form's `urgency`).
 */
export type RenamedFields = Readonly<Record<string, string>>;

/**
 * Splits a problem's field errors into those the form shows next to a field and the rest.
 * `knownFields` are the form's top-level fields, or paths of two (`custom_fields.level`) for a
 * field inside an object of which the form shows only some keys.
 * `wholeFields` are fields one input edits as a whole (money: `amount.amount_minor` → `amount`).
 */
export function mapFieldErrors(
  errors: FieldError[],
  knownFields: readonly string[],
  wholeFields: readonly string[] = [],
  renamed: RenamedFields = {},
): MappedErrors {
  const byField = new Map<string, { name: (string | number)[]; errors: FieldError[] }>();
  const other: FieldError[] = [];
  for (const e of errors) {
    const path = fieldPath(e.field);
    const head = path[0];
    const rename = typeof head === 'string' ? renamed[head] : undefined;
    const full = rename === undefined ? path : rename === '' ? path.slice(1) : [rename];
    const name = typeof full[0] === 'string' && wholeFields.includes(full[0]) ? full.slice(0, 1) : full;
    const top = name[0];
    // a known field is a top-level one, or one inside another named by its path (`custom_fields.level`)
    if ((typeof top === 'string' && knownFields.includes(top)) || (name.length > 1 && knownFields.includes(name.slice(0, 2).join('.')))) {
      const key = JSON.stringify(name);
      const entry = byField.get(key) ?? { name, errors: [] };
      entry.errors.push(e);
      byField.set(key, entry);
    } else {
      other.push(e);
    }
  }
  return { fields: [...byField.values()], other };
}

/**
 * One server error next to its field. It is kept as the code with its params, not as a sentence, so
 * it reads in the language the UI shows now, also after a language switch.
 */
export function FieldProblem({ error }: { error: FieldError }) {
  const { i18n } = useTranslation();
  return <>{fieldErrorText(error, i18n)}</>;
}

/** Puts a failed submission's field errors next to their fields and scrolls to the first of them. */
export function setFieldProblems(form: FormInstance, mapped: Pick<MappedErrors, 'fields'>) {
  if (mapped.fields.length === 0) return;
  form.setFields(
    mapped.fields.map(({ name, errors }) => ({
      name,
      // antd renders each error as a node; the type says string because most are
      errors: errors.map((e, i) => <FieldProblem key={i} error={e} />) as unknown as string[],
    })),
  );
  const first = mapped.fields[0];
  if (first) form.scrollToField(first.name, { block: 'center' });
}

/**
 * After `form.validateFields()` refused the values: scrolls to the first field in error (a form
 * submitted through antd's `onFinish` does this itself with `scrollToFirstError`).
 */
export function scrollToFirstError(form: FormInstance, refusal: unknown) {
  const fields = (refusal as { errorFields?: { name: (string | number)[] }[] } | null)?.errorFields;
  const first = fields?.[0];
  if (first) form.scrollToField(first.name, { block: 'center' });
}

/**
 * What a failed submission shows above the form, in the language the UI shows now: the problem's
 * sentence with the errors of fields the form does not have; null when every error found its field.
 */
export function aboveFormText(
  error: unknown,
  i18n: I18n,
  knownFields: readonly string[],
  wholeFields: readonly string[] = [],
  renamed: RenamedFields = {},
): string | null {
  if (!isProblemError(error)) return problemText(error, i18n);
  const mapped = mapFieldErrors(error.fieldErrors, knownFields, wholeFields, renamed);
  const other = mapped.other.map((e) => (e.field ? `${e.field}: ${fieldErrorText(e, i18n)}` : fieldErrorText(e, i18n)));
  if (other.length > 0) return [problemText(error, i18n), ...other].join(' · ');
  return mapped.fields.length > 0 ? null : problemText(error, i18n);
}

/** A problem code that stands for one field of the form, with the form's own sentence for it. */
export interface FieldCode {
  field: string;
  text: string;
}

export interface FormProblem<V = unknown> {
  /** Shows a failed submission: field errors next to their fields (scrolled to), the rest above the form. */
  show: (error: unknown) => void;
  /** Forgets the last failure (a new submission starts). */
  clear: () => void;
  /** Starts the form over (a dialog opened again): forgets the last failure, resets the fields and fills them with `values`, untouched. */
  reset: (values?: Parameters<FormInstance<V>['setFieldsValue']>[0]) => void;
  /**
   * The form's "save": validates it (a refusal scrolls to the first field in error), forgets the last
   * failure and hands the values to `save`; when `save` fails, shows why.
   */
  submit: (save: (values: V) => Promise<unknown>) => Promise<void>;
  /**
   * What a form submitted through antd's `onFinish` spreads into its `<Form>`: a refusal of the rules
   * scrolls to the first field in error and forgets the last failure; valid values go as with {@link submit}.
   */
  submitProps: (save: (values: V) => Promise<unknown>) => { onFinish: (values: V) => void; onFinishFailed: () => void; scrollToFirstError: true };
  /** The text above the form in the language shown now, or null. */
  message: string | null;
  /** That text as the alert every form shows above its fields, or null. */
  alert: ReactNode;
}

/**
 * A form's server errors. The failure itself is kept, never its sentences, so a language switch
 * re-renders both the field errors and the text above the form in the new language.
 * `fieldCodes` are problem codes that stand for one field (`product.sku_taken`): their sentence
 * goes next to that field instead of above the form.
 */
export function useFormProblem<V = unknown>(
  form: FormInstance<V>,
  knownFields: readonly string[],
  {
    wholeFields = [],
    renamed = {},
    fieldCodes = {},
    testId = 'form-error',
  }: { wholeFields?: readonly string[]; renamed?: RenamedFields; fieldCodes?: Readonly<Record<string, FieldCode>>; testId?: string } = {},
): FormProblem<V> {
  const { i18n } = useTranslation();
  // field by field the form's values are not typed: server errors name fields by path
  const fields = form as FormInstance;
  const [failure, setFailure] = useState<{ error: unknown } | null>(null);
  const message = failure ? aboveFormText(failure.error, i18n, knownFields, wholeFields, renamed) : null;
  // Fields showing a server error, with their value then. antd clears an error on change only for a
  // field with rules of its own, so the others are cleared here when their value changes.
  const marked = useRef<{ name: (string | number)[]; value: string }[]>([]);
  const valueOf = (name: (string | number)[]) => JSON.stringify(fields.getFieldValue(name) ?? null);
  const watched = Form.useWatch(() => marked.current.map((m) => valueOf(m.name)).join('\u0000'), fields);
  useEffect(() => {
    const changed = marked.current.filter((m) => valueOf(m.name) !== m.value);
    if (changed.length === 0) return;
    marked.current = marked.current.filter((m) => !changed.includes(m));
    fields.setFields(changed.map((m) => ({ name: m.name, errors: [] })));
    // valueOf reads the form, which `watched` follows
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [watched, form]);
  const show = (error: unknown) => {
    const own = Object.entries(fieldCodes).find(([code]) => hasCode(error, code))?.[1];
    if (own) {
      fields.setFields([{ name: own.field, errors: [own.text] }]);
      fields.scrollToField(own.field);
      return;
    }
    setFailure({ error });
    if (!isProblemError(error)) return;
    const mapped = mapFieldErrors(error.fieldErrors, knownFields, wholeFields, renamed);
    marked.current = mapped.fields.map((f) => ({ name: f.name, value: valueOf(f.name) }));
    setFieldProblems(fields, mapped);
  };
  const attempt = async (save: (values: V) => Promise<unknown>, values: V) => {
    setFailure(null);
    try {
      await save(values);
    } catch (e) {
      show(e);
    }
  };
  return {
    show,
    clear: () => setFailure(null),
    reset: (values) => {
      setFailure(null);
      form.resetFields();
      if (values !== undefined) fillForm(form, values);
    },
    submit: async (save) => {
      let values: V;
      try {
        values = await form.validateFields();
      } catch (invalid) {
        scrollToFirstError(fields, invalid);
        return;
      }
      await attempt(save, values);
    },
    submitProps: (save) => ({ onFinish: (values) => void attempt(save, values), onFinishFailed: () => setFailure(null), scrollToFirstError: true }),
    message,
    alert: message ? <Alert type="error" showIcon title={message} style={{ marginBottom: 16 }} data-testid={testId} /> : null,
  };
}
