import type { ReactNode } from 'react';
import { Space, Typography } from 'antd';

export interface RecordHeadProps {
  /** The record's name or number. */
  title: ReactNode;
  titleTestId?: string;
  /** What stands beside the title: status, priority, … tags. */
  tags?: ReactNode;
  /** The buttons at the right; nothing when there are none the user may use. */
  actions?: ReactNode;
  actionsTestId?: string;
}

/** The head of one record's page: its title with its tags, and its actions at the right, wrapping on narrow screens. */
export function RecordHead({ title, titleTestId, tags, actions, actionsTestId }: RecordHeadProps) {
  return (
    <div className="page-head">
      <Space wrap>
        <Typography.Title level={3} data-testid={titleTestId}>{title}</Typography.Title>
        {tags}
      </Space>
      {actions && (
        <Space wrap data-testid={actionsTestId}>
          {actions}
        </Space>
      )}
    </div>
  );
}
