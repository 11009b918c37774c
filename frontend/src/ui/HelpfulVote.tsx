import { useState } from 'react';
import { Button, Space, Typography } from 'antd';
import { DislikeOutlined, LikeOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

/**
 * "Was this helpful?" with yes / no. The reader may change their vote (the server keeps one per
 * reader); after voting it says thank you and shows the choice.
 */
export function HelpfulVote({ onVote, pending }: { onVote: (helpful: boolean) => Promise<unknown>; pending: boolean }) {
  const { t } = useTranslation();
  const [choice, setChoice] = useState<boolean | null>(null);
  const vote = (helpful: boolean) => {
    void onVote(helpful).then(
      () => setChoice(helpful),
      () => undefined,
    );
  };
  return (
    <div className="helpful-vote" data-testid="helpful-vote" data-choice={choice === null ? undefined : String(choice)}>
      <Space wrap>
        <Typography.Text strong>{t('kb.wasHelpful')}</Typography.Text>
        <Button icon={<LikeOutlined />} type={choice === true ? 'primary' : 'default'} disabled={pending} onClick={() => vote(true)} data-testid="vote-helpful">
          {t('kb.yes')}
        </Button>
        <Button icon={<DislikeOutlined />} type={choice === false ? 'primary' : 'default'} disabled={pending} onClick={() => vote(false)} data-testid="vote-not-helpful">
          {t('kb.no')}
        </Button>
        {choice !== null && <Typography.Text type="secondary" data-testid="vote-thanks">{t('kb.thanks')}</Typography.Text>}
      </Space>
    </div>
  );
}
