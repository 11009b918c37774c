import type { ReactNode } from 'react';
import { Button, Popconfirm } from 'antd';
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

/** A table row's "Delete" link: asks `confirm` first, and deletes only once the user agrees. */
export function DeleteLink({ confirm, onConfirm, ...rest }: { confirm: ReactNode; onConfirm: () => void; 'data-testid'?: string }) {
  const { t } = useTranslation();
  return (
    <Popconfirm title={confirm} okText={t('common.delete')} cancelText={t('common.cancel')} onConfirm={onConfirm}>
      <Button size="small" type="link" danger data-testid={rest['data-testid']}>
        {t('common.delete')}
      </Button>
    </Popconfirm>
  );
}
