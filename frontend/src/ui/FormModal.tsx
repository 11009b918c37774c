import { useRef } from 'react';
import { App, Modal, type FormInstance, type ModalProps } from 'antd';
import { useTranslation } from 'react-i18next';

type CancelEvent = Parameters<NonNullable<ModalProps['onCancel']>>[0];

/**
 * No `forceRender`: antd keeps one page-wide stack of open dialogs and gives Esc to the last one in it,
 * and a dialog rendered while hidden joins it when it mounts, not when it opens. A hidden dialog
 * mounted after it (the customer page's task dialog after its interaction dialog) then took every Esc.
 * Without it a dialog joins the stack as it opens, so the one in front gets the key; its form stays
 * mounted after the first opening all the same (destroyOnHidden is off). Fill the form with `fillForm`.
 */
export interface FormModalProps extends Omit<ModalProps, 'forceRender' | 'maskClosable'> {
  /** The form in the dialog: once the user has typed into it, closing asks first. */
  form?: FormInstance;
  /** Whether closing would lose something the form does not know of (own state); asks first too. */
  dirty?: boolean;
  /** The test id of the OK button (antd's button props do not type `data-testid`). */
  okTestId?: string;
}

/**
 * A dialog around a form. Esc, the close button, a click beside it and Cancel all close it, but once
 * the user has typed something, closing asks before throwing it away. Its buttons read "Save" and
 * "Cancel" unless told otherwise.
 */
export function FormModal({ form, dirty = false, onCancel, okTestId, okButtonProps, ...props }: FormModalProps) {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const asking = useRef(false);

  const cancel = (e: CancelEvent) => {
    if (!onCancel) return;
    if (!dirty && !form?.isFieldsTouched()) return onCancel(e);
    // a second Esc while the question is open answers it ("keep editing"), it does not ask again
    if (asking.current) return;
    asking.current = true;
    modal.confirm({
      title: t('form.discardTitle'),
      content: t('form.discardContent'),
      okText: t('form.discard'),
      okButtonProps: { danger: true, 'data-testid': 'discard-confirm' } as ModalProps['okButtonProps'],
      cancelText: t('form.keepEditing'),
      onOk: () => {
        asking.current = false;
        onCancel(e);
      },
      onCancel: () => {
        asking.current = false;
      },
    });
  };

  return (
    <Modal
      keyboard
      mask={{ closable: true }}
      onCancel={cancel}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={okTestId === undefined ? okButtonProps : ({ ...okButtonProps, 'data-testid': okTestId } as ModalProps['okButtonProps'])}
      {...props}
    />
  );
}

/**
 * Fills a dialog's form as it opens. `setFieldsValue` marks every field it changes as touched (the
 * form cannot tell the program from the user), so a dialog that filled itself, even with a new "now",
 * asked before Esc threw away text nobody typed; the fields start untouched here.
 */
export function fillForm<V>(form: FormInstance<V>, values: Parameters<FormInstance<V>['setFieldsValue']>[0]) {
  form.setFieldsValue(values);
  form.setFields(form.getFieldsError().map(({ name }) => ({ name, touched: false })) as Parameters<FormInstance<V>['setFields']>[0]);
}
