import { useRef } from 'react';
import { App, Modal, type FormInstance, type ModalProps } from 'antd';
import { useTranslation } from 'react-i18next';

type CancelEvent = Parameters<NonNullable<ModalProps['onCancel']>>[0];

export interface FormModalProps extends ModalProps {
  /** The form in the dialog: once the user has typed into it, closing asks first. */
  form?: FormInstance;
  /** Whether closing would lose something the form does not know of (own state); asks first too. */
  dirty?: boolean;
}

/**
 * A dialog around a form. Esc, the close button, a click beside it and Cancel all close it, but once
 * the user has typed something, closing asks before throwing it away.
 */
export function FormModal({ form, dirty = false, onCancel, ...props }: FormModalProps) {
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

  return <Modal keyboard maskClosable onCancel={cancel} {...props} />;
}
