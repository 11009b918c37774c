import { Space, Tag, Typography } from 'antd';
import { ExportOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { CustomerDuplicate } from './useDuplicates';

/** A share (0–1) as a whole percent in the UI's language. */
export function formatPercent(share: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(Math.max(0, Math.min(1, share)));
}

/** Why a customer may be a duplicate, as tags; a similar name carries how alike it reads. */
export function ReasonTags({ reasons, similarity }: { reasons: readonly string[]; similarity?: number }) {
  const { t, i18n } = useTranslation();
  const label = (reason: string): string => {
    switch (reason) {
      case 'phone':
        return t('customerDuplicates.reason.phone');
      case 'email':
        return t('customerDuplicates.reason.email');
      case 'credit_code':
        return t('customerDuplicates.reason.credit_code');
      case 'name':
        return similarity === undefined
          ? t('customerDuplicates.reason.nameOnly')
          : t('customerDuplicates.reason.name', { percent: formatPercent(similarity, i18n.language) });
      default:
        // a reason this version of the UI does not know yet: shown as the server names it
        return reason;
    }
  };
  return (
    <Space size={[0, 4]} wrap>
      {reasons.map((r) => (
        <Tag key={r} color={r === 'name' ? 'gold' : 'red'} data-testid={`duplicate-reason-${r}`}>
          {label(r)}
        </Tag>
      ))}
    </Space>
  );
}

/** A candidate's name, opening its page in a new tab (the form or list being worked on stays). */
export function CandidateLink({ candidate }: { candidate: CustomerDuplicate }) {
  const { t } = useTranslation();
  return (
    <Link to={`/customers/${candidate.id}`} target="_blank" rel="noopener" data-testid="duplicate-link" title={t('customerDuplicates.openInNewTab')}>
      {candidate.name} <ExportOutlined style={{ fontSize: 11 }} />
    </Link>
  );
}

/** Where a candidate is and whose it is, in grey. */
export function CandidateFacts({ candidate }: { candidate: CustomerDuplicate }) {
  const { t } = useTranslation();
  const facts = [candidate.city, candidate.owner_name ? t('customerDuplicates.ownerIs', { name: candidate.owner_name }) : null].filter(Boolean);
  if (facts.length === 0) return null;
  return <Typography.Text type="secondary">{facts.join(' · ')}</Typography.Text>;
}
