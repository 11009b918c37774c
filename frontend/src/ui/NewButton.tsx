import type { ReactNode } from 'react';
import { Button } from 'antd';
import { PlusOutlined } from '@ant-design/icons';

/** The "New …" button above a list (a settings tab's table), with the usual space below it. */
export function NewButton({ onClick, children, ...rest }: { onClick: () => void; children: ReactNode; 'data-testid': string }) {
  return (
    <Button type="primary" icon={<PlusOutlined />} onClick={onClick} style={{ marginBottom: 12 }} data-testid={rest['data-testid']}>
      {children}
    </Button>
  );
}
