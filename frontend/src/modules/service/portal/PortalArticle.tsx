import { Button, Card, Space, Spin, Tag, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { formatDate } from '../../../i18n/format';
import { useDocumentTitle } from '../../../ui/documentTitle';
import { ErrorResult } from '../../../ui/ErrorResult';
import { HelpfulVote } from '../../../ui/HelpfulVote';
import { Markdown } from '../../../ui/Markdown';
import { usePortalArticle, usePortalVote } from './usePortal';

/** A public article in the help centre (`/portal/kb/:id`), with "was this helpful?". */
export default function PortalArticle() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const article = usePortalArticle(id);
  const vote = usePortalVote();
  useDocumentTitle(article.data?.title, t('portal.nav.kb'));
  if (article.isPending) return <Spin />;
  if (article.isError) return <ErrorResult error={article.error} onRetry={() => void article.refetch()} />;
  const a = article.data;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} style={{ padding: 0 }} data-testid="portal-article-back">
        {t('portal.kb.back')}
      </Button>
      <Card className="portal-card">
        <Typography.Title level={2} data-testid="portal-article-title">{a.title}</Typography.Title>
        <Space wrap style={{ marginBottom: 16 }}>
          <Typography.Text type="secondary">{t('portal.kb.updated', { date: formatDate(a.updated_at, i18n.language) })}</Typography.Text>
          {a.tags.map((tag) => <Tag key={tag}>{tag}</Tag>)}
        </Space>
        <Markdown testId="portal-article-body">{a.body}</Markdown>
        <HelpfulVote key={a.id} pending={vote.isPending} onVote={(helpful) => vote.mutateAsync({ id: a.id, helpful })} />
      </Card>
      <Card className="portal-card" size="small">
        <Space wrap>
          <Typography.Text>{t('portal.kb.stillNeedHelp')}</Typography.Text>
          <Link to="/portal/tickets/new"><Button type="primary" data-testid="portal-article-ask">{t('portal.kb.ask')}</Button></Link>
        </Space>
      </Card>
    </Space>
  );
}
