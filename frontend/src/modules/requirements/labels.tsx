import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RequirementCategory, RequirementStatus } from '../../api/types';
import { formatScore } from './score';

export const REQUIREMENT_STATUS_COLORS: Record<RequirementStatus, string> = {
  collected: 'default',
  analyzing: 'blue',
  planned: 'geekblue',
  in_progress: 'processing',
  delivered: 'cyan',
  evaluated: 'success',
  rejected: 'error',
  duplicate: 'warning',
};

export function RequirementStatusTag({ status, testId = 'requirement-status' }: { status: RequirementStatus; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={REQUIREMENT_STATUS_COLORS[status]} data-testid={testId} data-status={status}>
      {t(`requirementStatus.${status}`)}
    </Tag>
  );
}

export function CategoryTag({ category }: { category: RequirementCategory }) {
  const { t } = useTranslation();
  return <Tag>{t(`requirementCategory.${category}`)}</Tag>;
}

/** The priority score, bold, with the formula as a tooltip. */
export function ScoreBadge({ score }: { score: number }) {
  const { t, i18n } = useTranslation();
  return (
    <Tooltip title={t('requirement.scoreHint')}>
      <Tag color="purple" data-testid="requirement-score" style={{ fontWeight: 600 }}>
        {formatScore(score, i18n.language)}
      </Tag>
    </Tooltip>
  );
}
