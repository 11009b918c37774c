import { Descriptions, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { PriorityWeights, Requirement } from '../../api/types';
import { formatScore, scoreBreakdown } from './score';

/** How the score comes about: each weight × factor, their sum, ÷ effort × 10; the server's stored score beside it. */
export function ScoreBreakdown({ requirement: r, weights }: { requirement: Requirement; weights: PriorityWeights }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const b = scoreBreakdown(r, weights);
  const n = (v: number, d = 2) => formatScore(v, lang, d);
  return (
    <div data-testid="score-breakdown">
      <Descriptions size="small" column={1} bordered>
        {b.terms.map((term) => (
          <Descriptions.Item key={term.key} label={t(`requirement.factor.${term.key}`)}>
            <span data-testid={`score-term-${term.key}`}>
              {n(term.weight, 3)} × {n(term.value)} = {n(term.product)}
            </span>
            {term.key === 'demand' && (
              <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                {t('requirement.demandExplained', { count: r.requester_count })}
              </Typography.Text>
            )}
          </Descriptions.Item>
        ))}
        <Descriptions.Item label={t('requirement.factor.effort')}>
          <span data-testid="score-effort">{b.effort}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('requirement.score')}>
          <Typography.Text strong data-testid="score-computed">
            10 × {n(b.sum)} / {b.effort} = {n(b.score)}
          </Typography.Text>
        </Descriptions.Item>
      </Descriptions>
    </div>
  );
}
