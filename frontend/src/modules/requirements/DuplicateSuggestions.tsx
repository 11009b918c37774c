import { Alert, Button, Space, Tag, Typography } from 'antd';
import { ItemList } from '../../ui/ItemList';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { DuplicateCandidate } from '../../api/types';
import { RequirementStatusTag } from './labels';
import { useDebounced } from '../../ui/useDebounced';
import { useSimilarRequirements } from './useRequirements';

/** How long the title must rest before similar requirements are asked for. */
export const SUGGEST_DEBOUNCE_MS = 400;

/** Candidates as a list: number, title, status, requesters and how alike they read. */
export function CandidateList({ items, onAddTo }: { items: DuplicateCandidate[]; onAddTo?: (c: DuplicateCandidate) => void }) {
  const { t } = useTranslation();
  return (
    <ItemList
      size="small"
      dataSource={items}
      renderItem={(c) => (
        <ItemList.Item
          data-testid="duplicate-suggestion"
          data-number={c.number}
          actions={onAddTo ? [<Button key="add" size="small" onClick={() => onAddTo(c)} data-testid="duplicate-add-requester">{t('requirement.addToThis')}</Button>] : []}
        >
          <Space wrap size={4}>
            <Link to={`/requirements/${c.id}`} target="_blank">{c.number}</Link>
            <Typography.Text>{c.title}</Typography.Text>
            <RequirementStatusTag status={c.status} testId="duplicate-status" />
            <Tag>{t('requirement.requesterCount', { count: c.requester_count })}</Tag>
            <Typography.Text type="secondary">{t('requirement.similarity', { pct: Math.round(c.similarity * 100) })}</Typography.Text>
          </Space>
        </ItemList.Item>
      )}
    />
  );
}

/** While a title is typed: open requirements that read alike (debounced), so the same need is not collected twice. */
export function DuplicateSuggestions({ title, description, onAddTo }: { title: string; description?: string; onAddTo?: (c: DuplicateCandidate) => void }) {
  const { t } = useTranslation();
  const settledTitle = useDebounced(title, SUGGEST_DEBOUNCE_MS);
  const settledDescription = useDebounced(description ?? '', SUGGEST_DEBOUNCE_MS);
  const similar = useSimilarRequirements(settledTitle, settledDescription);
  const items = settledTitle.trim().length >= 2 ? (similar.data ?? []) : [];
  if (items.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title={t('requirement.similarFound')}
      description={<CandidateList items={items} onAddTo={onAddTo} />}
      data-testid="duplicate-suggestions"
    />
  );
}
