import { useEffect, useState } from 'react';
import { Alert, Descriptions, Modal, Radio, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Requirement } from '../../api/types';
import { RequirementStatusTag } from './labels';

/** The two requirements a merge is about: either may survive. */
export interface MergeSide {
  id: string;
  number: string;
  title: string;
  status: Requirement['status'];
  requester_count: number;
  feedback_count?: number;
}

interface Props {
  open: boolean;
  current: MergeSide;
  other: MergeSide | null;
  submitting?: boolean;
  onSubmit: (survivorId: string, duplicateId: string) => void;
  onCancel: () => void;
}

/** Which side survives, and what moves to it from the other. */
export function mergePlan(survivor: MergeSide, duplicate: MergeSide) {
  return {
    survivor,
    duplicate,
    movingRequesters: duplicate.requester_count,
    movingFeedback: duplicate.feedback_count ?? 0,
  };
}

/** Merges two requirements: pick the one that survives; the other becomes 重复 and its requesters move over. */
export function MergeModal({ open, current, other, submitting, onSubmit, onCancel }: Props) {
  const { t } = useTranslation();
  const [survivorId, setSurvivorId] = useState(current.id);
  useEffect(() => {
    if (open) setSurvivorId(current.id);
  }, [open, current.id]);
  if (!other) return null;
  const survivor = survivorId === other.id ? other : current;
  const duplicate = survivor === current ? other : current;
  const plan = mergePlan(survivor, duplicate);
  const side = (s: MergeSide) => (
    <Space size={4} wrap>
      <Typography.Text strong>{s.number}</Typography.Text>
      <Typography.Text>{s.title}</Typography.Text>
      <RequirementStatusTag status={s.status} testId="merge-side-status" />
    </Space>
  );
  return (
    <Modal
      open={open}
      title={t('requirement.mergeTitle')}
      onOk={() => onSubmit(plan.survivor.id, plan.duplicate.id)}
      onCancel={onCancel}
      okText={t('requirement.mergeConfirm')}
      cancelText={t('common.cancel')}
      okButtonProps={{ 'data-testid': 'merge-confirm' } as { danger?: boolean }}
      confirmLoading={submitting}
      width={640}
    >
      <Typography.Paragraph>{t('requirement.mergePick')}</Typography.Paragraph>
      <Radio.Group value={survivorId} onChange={(e) => setSurvivorId(e.target.value as string)} data-testid="merge-survivor" style={{ width: '100%' }}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Radio value={current.id} data-testid="merge-keep-current">{side(current)}</Radio>
          <Radio value={other.id} data-testid="merge-keep-other">{side(other)}</Radio>
        </Space>
      </Radio.Group>
      <Alert
        type="warning"
        showIcon
        style={{ marginTop: 16 }}
        title={t('requirement.mergeWhat', { survivor: plan.survivor.number, duplicate: plan.duplicate.number })}
        description={
          <Descriptions size="small" column={1} data-testid="merge-plan">
            <Descriptions.Item label={t('requirement.mergeRequesters')}>
              <span data-testid="merge-moving-requesters">{t('requirement.mergeRequestersValue', { count: plan.movingRequesters, survivor: plan.survivor.number })}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('requirement.mergeFeedback')}>
              {t('requirement.mergeFeedbackValue', { count: plan.movingFeedback })}
            </Descriptions.Item>
            <Descriptions.Item label={t('requirement.mergeAfter')}>
              <span data-testid="merge-duplicate-becomes">{t('requirement.mergeAfterValue', { duplicate: plan.duplicate.number })}</span>
            </Descriptions.Item>
          </Descriptions>
        }
      />
    </Modal>
  );
}
