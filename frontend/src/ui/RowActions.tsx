import type { ReactNode } from 'react';
import { Button, Popconfirm, type ButtonProps } from 'antd';
import { useTranslation } from 'react-i18next';

/** A table row's "Edit" link. */
export function EditLink({ onClick, ...rest }: { onClick: () => void; 'data-testid'?: string }) {
  const { t } = useTranslation();
  return (
    <Button size="small" type="link" onClick={onClick} data-testid={rest['data-testid']}>
      {t('common.edit')}
    </Button>
  );
}

/**
 * A table row's "Delete" link: asks `confirm` first, and deletes only once the user agrees. `label`
 * names both the link and the answer that deletes ("Revoke"); `confirmButton` makes that answer red
 * and gives it a test id.
 */
export function DeleteLink({ confirm, onConfirm, label, confirmButton, ...rest }: {
  confirm: ReactNode;
  onConfirm: () => void;
  label?: ReactNode;
  confirmButton?: { danger?: boolean; testId?: string };
  'data-testid'?: string;
}) {
  const { t } = useTranslation();
  const text = label ?? t('common.delete');
  return (
    <Popconfirm
      title={confirm}
      okText={text}
      cancelText={t('common.cancel')}
      okButtonProps={confirmButton && ({ danger: confirmButton.danger, 'data-testid': confirmButton.testId } as ButtonProps)}
      onConfirm={onConfirm}
    >
      <Button size="small" type="link" danger data-testid={rest['data-testid']}>
        {text}
      </Button>
    </Popconfirm>
  );
}
