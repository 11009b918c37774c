import type { ReactNode } from 'react';
import { Button } from 'antd';
import { PlusOutlined } from '@ant-design/icons';

/** The "New …" button above a list (a settings tab's table), with the usual space below it; `plain` where it is not the page's main action. */
export function NewButton({ onClick, plain = false, children, ...rest }: { onClick: () => void; plain?: boolean; children: ReactNode; 'data-testid': string }) {
  return (
    <Button type={plain ? 'default' : 'primary'} icon={<PlusOutlined />} onClick={onClick} style={{ marginBottom: 12 }} data-testid={rest['data-testid']}>
      {children}
    </Button>
  );
}
