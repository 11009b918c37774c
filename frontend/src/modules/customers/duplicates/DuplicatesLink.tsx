import { Button } from 'antd';
import { UsergroupDeleteOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

/** The customer list's way to the duplicates page (客户查重). */
export function DuplicatesLink() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Button icon={<UsergroupDeleteOutlined />} onClick={() => navigate('/customers/duplicates')} data-testid="customer-duplicates-link">
      {t('customerDuplicates.listLink')}
    </Button>
  );
}
