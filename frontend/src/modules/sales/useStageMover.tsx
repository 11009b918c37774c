import { useState } from 'react';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { isProblemError } from '../../api/problem';
import type { Opportunity, Stage } from '../../api/types';
import { dropNeed } from './board';
import { LossReasonModal } from './LossReasonModal';
import { useMoveOpportunity, type MoveArgs } from './useOpportunities';
import { hasCode, isStale, useProblemText } from '../../ui/problemText';

/**
 * The stage-move flow shared by the board and the detail page: a lost stage asks the reason, a
 * closed opportunity asks to confirm reopening, a won stage needs an amount; then the move is
 * sent (shown at once on the boards, put back when refused). Render `element` once.
 */
export function useStageMover(onMoved?: (o: Opportunity) => void) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const problemText = useProblemText();
  const move = useMoveOpportunity();
  const [asking, setAsking] = useState<{ card: Opportunity; to: Stage; reopen: boolean } | null>(null);

  const send = (args: MoveArgs) =>
    move.mutate(args, {
      onSuccess: (o) => {
        void message.success(t('opportunity.moved', { name: o.name, stage: o.stage.name }));
        onMoved?.(o);
      },
      onError: (e) => {
        if (!isProblemError(e)) return void message.error(problemText(e));
        if (isStale(e)) return void message.warning(t('opportunity.moveStale'));
        if (hasCode(e, 'opportunity.won_needs_amount')) return void message.error(t('opportunity.wonNeedsAmount'));
        if (hasCode(e, 'opportunity.loss_reason_required')) return void message.error(t('opportunity.lossReasonRequired'));
        void message.error(problemText(e));
      },
    });

  const request = (card: Opportunity, to: Stage) => {
    const need = dropNeed(card, to);
    if (need === 'same') return;
    if (need === 'retired') return void message.warning(t('opportunity.stageRetired', { stage: to.name }));
    if (to.kind === 'won' && card.amount.amount_minor <= 0) return void message.warning(t('opportunity.wonNeedsAmount'));
    if (need === 'loss_reason' || need === 'reopen_and_loss_reason') {
      setAsking({ card, to, reopen: need === 'reopen_and_loss_reason' });
      return;
    }
    if (need === 'reopen') {
      modal.confirm({
        title: t('opportunity.reopenTitle'),
        content: t('opportunity.reopenText', { name: card.name, from: card.stage.name, to: to.name }),
        okText: t('opportunity.reopen'),
        cancelText: t('common.cancel'),
        okButtonProps: { 'data-testid': 'reopen-confirm' } as { danger?: boolean },
        onOk: () => send({ opportunity: card, to, reopen: true }),
      });
      return;
    }
    send({ opportunity: card, to });
  };

  const element = (
    <LossReasonModal
      open={asking !== null}
      opportunityName={asking?.card.name ?? ''}
      stageName={asking?.to.name ?? ''}
      reopen={asking?.reopen}
      onCancel={() => setAsking(null)}
      onSubmit={(reason) => {
        if (!asking) return;
        send({ opportunity: asking.card, to: asking.to, loss_reason: reason, reopen: asking.reopen || undefined });
        setAsking(null);
      }}
    />
  );

  return { request, element, pending: move.isPending };
}
