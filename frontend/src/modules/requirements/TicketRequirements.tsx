import { Button, Card, Empty, Space, Typography } from 'antd';
import { ItemList } from '../../ui/ItemList';
import { BulbOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { can } from '../../app/permissions';
import { LoadMore, useCursorRows } from '../../ui/CursorTable';
import { useMe } from '../auth/useSession';
import { RequirementStatusTag } from './labels';
import { useTicketRequirements } from './useRequirements';

/** The ticket page's card: the requirements this ticket raised, and "new requirement" from it. Hidden without the right. */
export function TicketRequirements({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const readable = can(me, 'requirements', 'read');
  const list = useTicketRequirements(ticketId, readable);
  const rows = useCursorRows(list);
  if (!readable) return null;
  return (
    <Card
      size="small"
      title={<Space><BulbOutlined />{t('requirement.ticketCard')}</Space>}
      extra={
        can(me, 'requirements', 'create') && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => navigate(`/requirements/new?ticket_id=${encodeURIComponent(ticketId)}`)} data-testid="ticket-new-requirement">
            {t('requirement.create')}
          </Button>
        )
      }
      data-testid="ticket-requirements"
    >
      {rows.length === 0 && !list.isPending ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('requirement.noneForTicket')} />
      ) : (
        <ItemList
          size="small"
          loading={list.isPending}
          dataSource={rows}
          renderItem={(r) => (
            <ItemList.Item data-testid="ticket-requirement">
              <Space orientation="vertical" size={0}>
                <Space size={4}>
                  <Link to={`/requirements/${r.id}`}>{r.number}</Link>
                  <RequirementStatusTag status={r.status} />
                </Space>
                <Typography.Text>{r.title}</Typography.Text>
              </Space>
            </ItemList.Item>
          )}
        />
      )}
      <LoadMore query={list} compact size="small" />
    </Card>
  );
}
