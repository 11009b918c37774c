import { Tag } from 'antd';
import { EyeInvisibleOutlined, GlobalOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { ArticleStatus, ArticleVisibility } from '../../api/types';

const STATUS_COLORS: Record<ArticleStatus, string> = { draft: 'default', published: 'success', archived: 'warning' };

export function ArticleStatusTag({ status }: { status: ArticleStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="article-status" data-status={status}>
      {t(`kb.status.${status}`)}
    </Tag>
  );
}

export function VisibilityTag({ visibility }: { visibility: ArticleVisibility }) {
  const { t } = useTranslation();
  return visibility === 'public' ? (
    <Tag color="blue" icon={<GlobalOutlined />} data-testid="article-visibility" data-visibility="public">{t('kb.visibility.public')}</Tag>
  ) : (
    <Tag icon={<EyeInvisibleOutlined />} data-testid="article-visibility" data-visibility="internal">{t('kb.visibility.internal')}</Tag>
  );
}
