import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { LifecycleStage } from '../../api/types';

export const STAGE_COLORS: Record<LifecycleStage, string> = {
  potential: 'default',
  prospect: 'processing',
  customer: 'success',
  churned: 'error',
};

export function StageTag({ stage }: { stage: LifecycleStage }) {
  const { t } = useTranslation();
  return (
    <Tag color={STAGE_COLORS[stage]} data-testid="stage-tag">
      {t(`stage.${stage}`)}
    </Tag>
  );
}
