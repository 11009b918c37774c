import { useMemo, useState } from 'react';
import { Button, Form, Input, InputNumber, Select, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Line, Product } from '../../api/types';
import { currencyDigits, formatMoney } from '../../i18n/format';
import { amountText, parseAmount } from '../../ui/money';
import { useDebounced } from '../../ui/useDebounced';
import { lineTotal, percentToBp, previewTotal, type LineFormValue } from './lines';
import { useProductSearch } from './useProducts';
import { FullTable } from '../../ui/FullTable';

export interface KnownProduct {
  id: string;
  label: string;
  unit_price_minor: number;
  currency: string;
}

function ProductPicker({ value, onChange, currency, known, onKnown }: {
  value?: string | null;
  onChange?: (id: string | undefined) => void;
  currency: string;
  known: Record<string, KnownProduct>;
  onKnown: (p: KnownProduct) => void;
}) {
  const { t, i18n } = useTranslation();
  const [typed, setTyped] = useState('');
  const found = useProductSearch(useDebounced(typed.trim(), 250));
  const options = useMemo(() => {
    const list = (found.data ?? []).map((p: Product) => ({
      value: p.id,
      label: `${p.sku} · ${p.name} · ${formatMoney(p.unit_price, i18n.language)}`,
      disabled: p.unit_price.currency !== currency,
    }));
    if (value && known[value] && !list.some((o) => o.value === value)) list.unshift({ value, label: known[value].label, disabled: false });
    return list;
  }, [found.data, known, value, currency, i18n.language]);
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setTyped }}
      value={value ?? undefined}
      onChange={(id?: string) => {
        const p = found.data?.find((x) => x.id === id);
        if (p) onKnown({ id: p.id, label: `${p.sku} · ${p.name}`, unit_price_minor: p.unit_price.amount_minor, currency: p.unit_price.currency });
        onChange?.(id);
      }}
      options={options}
      loading={found.isFetching}
      placeholder={t('line.product')}
      notFoundContent={found.isFetching ? null : t('line.noProduct')}
      style={{ minWidth: 260 }}
      popupMatchSelectWidth={false}
      data-testid="line-product"
    />
  );
}

/** A price in minor units typed in major units (empty = the product's price). */
function PriceInput({ value, onChange, currency, placeholder }: { value?: number | null; onChange?: (v: number | null) => void; currency: string; placeholder?: string }) {
  const digits = currencyDigits(currency);
  const [typed, setTyped] = useState(value === null || value === undefined ? '' : amountText(value, digits));
  const parsed = parseAmount(typed, digits);
  const text = parsed === (value ?? null) || (Number.isNaN(parsed) && Number.isNaN(value)) ? typed : value === null || value === undefined ? '' : amountText(value, digits);
  return (
    <Input
      value={text}
      inputMode="decimal"
      onChange={(e) => {
        setTyped(e.target.value);
        onChange?.(parseAmount(e.target.value, digits));
      }}
      placeholder={placeholder}
      prefix={currency}
      style={{ width: 150 }}
      data-testid="line-price"
    />
  );
}

/** Product lines of an opportunity or order: product, quantity, unit price, discount, and the line total previewed. */
export function LinesEditor({ currency, initialLines = [] }: { currency: string; initialLines?: readonly Line[] }) {
  const { t, i18n } = useTranslation();
  const form = Form.useFormInstance();
  const lines = Form.useWatch('lines', form) as LineFormValue[] | undefined;
  const [known, setKnown] = useState<Record<string, KnownProduct>>(() =>
    Object.fromEntries(initialLines.map((l) => [l.product_id, { id: l.product_id, label: `${l.sku} · ${l.product_name}`, unit_price_minor: l.unit_price_minor, currency }])),
  );
  const priceOf = (id: string) => known[id]?.unit_price_minor;
  const total = previewTotal(lines, priceOf);
  const money = (minor: number) => formatMoney({ amount_minor: minor, currency }, i18n.language);

  return (
    <Form.List name="lines">
      {(fields, { add, remove }) => (
        <div data-testid="lines-editor">
          {fields.length > 0 && (
            <FullTable
              size="small"
              rowKey="key"
              dataSource={fields}
              data-testid="lines-table"
              columns={[
                {
                  title: t('line.product'),
                  key: 'product',
                  render: (_: unknown, f) => (
                    <Form.Item name={[f.name, 'product_id']} rules={[{ required: true, message: t('validation.required') }]} style={{ margin: 0 }}>
                      <ProductPicker currency={currency} known={known} onKnown={(p) => setKnown((k) => ({ ...k, [p.id]: p }))} />
                    </Form.Item>
                  ),
                },
                {
                  title: t('line.quantity'),
                  key: 'quantity',
                  render: (_: unknown, f) => (
                    <Form.Item name={[f.name, 'quantity']} rules={[{ required: true, message: t('validation.required') }, { type: 'integer', min: 1, max: 1_000_000_000, message: t('validation.range', { min: 1, max: 1_000_000_000 }) }]} style={{ margin: 0 }}>
                      <InputNumber min={1} precision={0} style={{ width: 90 }} data-testid="line-quantity" />
                    </Form.Item>
                  ),
                },
                {
                  title: t('line.unitPrice'),
                  key: 'price',
                  render: (_: unknown, f) => {
                    const id = lines?.[f.name]?.product_id;
                    const listPrice = id ? priceOf(id) : undefined;
                    return (
                      <Form.Item
                        name={[f.name, 'unit_price_minor']}
                        rules={[{ validator: (_r, v?: number | null) => (v === null || v === undefined || Number.isSafeInteger(v) ? Promise.resolve() : Promise.reject(new Error(t('money.invalid')))) }]}
                        style={{ margin: 0 }}
                      >
                        <PriceInput currency={currency} placeholder={listPrice !== undefined ? amountText(listPrice, currencyDigits(currency)) : undefined} />
                      </Form.Item>
                    );
                  },
                },
                {
                  title: t('line.discount'),
                  key: 'discount',
                  render: (_: unknown, f) => (
                    <Form.Item name={[f.name, 'discount_pct']} style={{ margin: 0 }}>
                      <InputNumber min={0} max={100} precision={2} suffix="%" style={{ width: 100 }} data-testid="line-discount" />
                    </Form.Item>
                  ),
                },
                {
                  title: t('line.total'),
                  key: 'total',
                  align: 'right' as const,
                  render: (_: unknown, f) => {
                    const l = lines?.[f.name];
                    const price = l?.unit_price_minor ?? (l?.product_id ? priceOf(l.product_id) : undefined);
                    return price === undefined || price === null || Number.isNaN(price) ? '—' : <span data-testid="line-total">{money(lineTotal(l?.quantity ?? 1, price, percentToBp(l?.discount_pct)))}</span>;
                  },
                },
                {
                  key: 'remove',
                  render: (_: unknown, f) => <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('common.delete')} data-testid="line-remove" />,
                },
              ]}
            />
          )}
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginTop: 8, marginBottom: 16 }}>
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ quantity: 1 })} data-testid="line-add">
              {t('line.add')}
            </Button>
            {total !== null && (
              <Typography.Text strong data-testid="lines-total">
                {t('line.sum')}: {money(total)}
              </Typography.Text>
            )}
          </div>
        </div>
      )}
    </Form.List>
  );
}
