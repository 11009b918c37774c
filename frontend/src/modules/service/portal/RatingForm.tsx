import { useState } from 'react';
import { Alert, Button, Input, Rate, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { PortalRating } from '../../../api/types';
import { useProblemText } from '../../../ui/problemText';

interface Props {
  onSubmit: (rating: PortalRating) => Promise<unknown>;
  pending: boolean;
}

/** 1–5 stars and an optional comment, sent once the ticket is solved. */
export function RatingForm({ onSubmit, pending }: Props) {
  const { t } = useTranslation();
  const problemText = useProblemText();
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const labels = [1, 2, 3, 4, 5].map((n) => t(`portal.rating.stars.${n}`));

  const submit = () => {
    if (rating < 1 || rating > 5) {
      setError(t('portal.rating.pickStars'));
      return;
    }
    setError(null);
    const text = comment.trim();
    onSubmit({ rating, comment: text ? text : null }).catch((e: unknown) => setError(problemText(e)));
  };

  return (
    <div className="portal-rating-form" data-testid="rating-form">
      <Typography.Paragraph strong style={{ marginBottom: 4 }}>{t('portal.rating.ask')}</Typography.Paragraph>
      <Space align="center" wrap>
        <Rate value={rating} onChange={setRating} tooltips={labels} data-testid="rating-stars" />
        {rating > 0 && <Typography.Text type="secondary" data-testid="rating-label">{labels[rating - 1]}</Typography.Text>}
      </Space>
      <Input.TextArea
        rows={3}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        maxLength={2000}
        placeholder={t('portal.rating.commentPlaceholder')}
        style={{ marginTop: 8 }}
        data-testid="rating-comment"
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 8 }} data-testid="rating-error" />}
      <Button type="primary" loading={pending} onClick={submit} style={{ marginTop: 8 }} data-testid="rating-submit">
        {t('portal.rating.send')}
      </Button>
    </div>
  );
}
