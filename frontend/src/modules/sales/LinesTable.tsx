import { useTranslation } from 'react-i18next';
import type { Line } from '../../api/types';
import { formatMoney } from '../../i18n/format';
import { FullTable } from '../../ui/FullTable';

/** Stored product lines: product, quantity, unit price, discount and line total. */
export function LinesTable({ lines, currency }: { lines: readonly Line[]; currency: string }) {
  const { t, i18n } = useTranslation();
  const money = (minor: number) => formatMoney({ amount_minor: minor, currency }, i18n.language);
  return (
    <FullTable<Line>
      size="small"
      rowKey={(l) => `${l.product_id}-${l.quantity}-${l.unit_price_minor}-${l.discount_bp}`}
      dataSource={[...lines]}
      data-testid="lines-view"
      columns={[
        { title: t('product.sku'), dataIndex: 'sku', key: 'sku' },
        { title: t('line.product'), dataIndex: 'product_name', key: 'name' },
        { title: t('line.quantity'), dataIndex: 'quantity', key: 'qty', align: 'right' as const },
        { title: t('line.unitPrice'), key: 'price', align: 'right' as const, render: (_: unknown, l: Line) => money(l.unit_price_minor) },
        { title: t('line.discount'), key: 'discount', align: 'right' as const, render: (_: unknown, l: Line) => (l.discount_bp ? `${l.discount_bp / 100}%` : '—') },
        { title: t('line.total'), key: 'total', align: 'right' as const, render: (_: unknown, l: Line) => money(l.line_total_minor) },
      ]}
    />
  );
}
