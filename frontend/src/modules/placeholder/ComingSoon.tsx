import { Result } from 'antd';
import { ClockCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { ModuleKey } from '../../app/modules';

/** The page of a module a later issue builds. */
export default function ComingSoon({ module }: { module: ModuleKey }) {
  const { t } = useTranslation();
  return (
    <Result
      icon={<ClockCircleOutlined />}
      title={t(`nav.${module}`)}
      subTitle={t('comingSoon.text')}
      data-testid="coming-soon"
    />
  );
}
