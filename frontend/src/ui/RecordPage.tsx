import type { ReactNode } from 'react';
import { Col, Row, Space } from 'antd';

/** Cards one below another across the whole width, with the page's usual space between them. */
export function CardStack({ children }: { children?: ReactNode }) {
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {children}
    </Space>
  );
}

/**
 * A record's page on a wide screen: the record itself (its head card, then what belongs to it) in the
 * wide left column, related cards in the narrow right one; on narrow screens the right column goes
 * below the left. Each column stacks its cards.
 */
export function RecordColumns({ side, mainSpan = 16, children }: {
  /** The right column's cards. */
  side: ReactNode;
  /** How many of the 24 grid columns the left one takes on wide screens (an article reads better wider). */
  mainSpan?: number;
  /** The left column's cards. */
  children: ReactNode;
}) {
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={mainSpan}>
        <CardStack>{children}</CardStack>
      </Col>
      <Col xs={24} lg={24 - mainSpan}>
        <CardStack>{side}</CardStack>
      </Col>
    </Row>
  );
}
