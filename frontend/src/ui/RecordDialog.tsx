import { useState, type ReactNode } from 'react';
import { App, Form, type FormInstance, type FormProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormModal, type FormModalProps } from './FormModal';
import { useFormProblem, type FieldCode, type FormProblem } from './formErrors';
import { useVersionedEdit, type VersionedEdit } from './useVersionedEdit';

export interface RecordDialogOptions<R, V, P extends object> {
  /** The form's fields the server may name in its errors. */
  fields: readonly string[];
  /** The test id of the alert above the form. */
  errorTestId: string;
  /** Problem codes that stand for one field (`custom_field.key_taken`): their sentence goes next to it. */
  fieldCodes?: Readonly<Record<string, FieldCode>>;
  /** What a new record's form starts with. */
  blank: Parameters<FormInstance<V>['setFieldsValue']>[0];
  /** Reads the latest version of the record after a 412 (undefined: it is gone). */
  latest: (base: R) => Promise<R | undefined>;
  /** How a record fills the form. */
  toForm: (record: R) => V;
  /** What the user changed against a base, as the merge patch the form sends. */
  changes: (base: R, values: V) => P;
}

export interface RecordDialog<R, V, P extends object> {
  form: FormInstance<V>;
  isOpen: boolean;
  /** The record edited; null while the dialog makes a new one. */
  record: R | null;
  problem: FormProblem<V>;
  edit: VersionedEdit<R, V, P>;
  /** Opens the dialog on a record, or on a blank form for a new one (null), its fields untouched. */
  open: (record: R | null) => void;
  close: () => void;
  /**
   * Saves valid values: `create` while the dialog makes a new record, else only the changed fields
   * through `update`. An edit says "Saved"; the dialog closes unless the save was stale (the notice
   * above the form then offers to reload), and a failure shows why above the form.
   */
  save: (update: (base: R, patch: P) => Promise<unknown>, create: (values: V) => Promise<unknown>) => Promise<void>;
}

/**
 * A dialog that creates a record or edits one guarded by its version (a settings list's "New" and
 * "Edit"): its form, whether it is open and on which record, the form's server errors and the
 * stale-edit notice. Show it with {@link RecordFormModal}.
 */
export function useRecordDialog<R, V, P extends object>(options: RecordDialogOptions<R, V, P>): RecordDialog<R, V, P> {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<V>();
  const [dialog, setDialog] = useState<{ open: boolean; record: R | null }>({ open: false, record: null });
  const problem = useFormProblem(form, options.fields, { testId: options.errorTestId, fieldCodes: options.fieldCodes });
  const edit = useVersionedEdit({ record: dialog.record, latest: options.latest, form, toForm: options.toForm, changes: options.changes });
  const close = () => setDialog((d) => ({ ...d, open: false }));
  return {
    form,
    isOpen: dialog.open,
    record: dialog.record,
    problem,
    edit,
    open: (record) => {
      edit.reset(record);
      problem.reset(record ? options.toForm(record) : options.blank);
      setDialog({ open: true, record });
    },
    close,
    save: (update, create) =>
      problem.submit(async (v) => {
        const outcome = await edit.saveOrCreate(v, update, () => create(v));
        if (outcome === 'stale') return;
        if (outcome !== 'created') void message.success(t('common.saved'));
        close();
      }),
  };
}

/** The dialog of a {@link useRecordDialog}: the stale-edit notice and the server's errors above its form, whose fields are the children. */
export function RecordFormModal<R, V, P extends object>({ dialog, initialValues, formTestId, children, ...modal }: Omit<FormModalProps, 'form' | 'open' | 'onCancel'> & {
  dialog: RecordDialog<R, V, P>;
  initialValues: FormProps<V>['initialValues'];
  formTestId: string;
  children: ReactNode;
}) {
  return (
    <FormModal form={dialog.form} open={dialog.isOpen} onCancel={dialog.close} {...modal}>
      {dialog.edit.notice}
      {dialog.problem.alert}
      <Form<V> form={dialog.form} layout="vertical" initialValues={initialValues} data-testid={formTestId}>
        {children}
      </Form>
    </FormModal>
  );
}
