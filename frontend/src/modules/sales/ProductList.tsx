import { useEffect, useState } from 'react';
import { App, Button, Col, Form, Input, Row, Space, Switch, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

import { scopeOf } from '../../app/permissions';
import type { CreateProduct, Product, UpdateProduct } from '../../api/types';
import { formatDateTime, formatMoney } from '../../i18n/format';
import { CursorTable, cursorTotal, TotalBadge } from '../../ui/CursorTable';
import { ErrorResult } from '../../ui/ErrorResult';
import { FilterBar, FlagFilter, TextFilter } from '../../ui/FilterBar';
import { FormModal } from '../../ui/FormModal';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { useFormProblem } from '../../ui/formErrors';
import { mergePatch, textOrNull, withoutNulls } from '../../ui/mergePatch';
import { useVersionedEdit, useWriteFailed } from '../../ui/useVersionedEdit';
import { MoneyInput } from '../../ui/MoneyInput';
import { isValidMoney, type MoneyValue } from '../../ui/money';
import { useMe } from '../auth/useSession';
import { parseProductFilters, productFiltersToQuery, productFiltersToSearch } from './filters';
import { ExportButton } from '../../ui/ExportButton';
import { fetchProduct, useDeleteProduct, useProductList, useSaveProduct } from './useProducts';
import { useUrlFilters } from '../../ui/useUrlFilters';
import type { CustomField } from '../../api/types';
import { CustomFieldInputs } from '../customFields/CustomFieldInputs';
import { CustomFieldValues } from '../customFields/CustomFieldValues';
import { useCustomFields } from '../customFields/useCustomFields';
import { customErrorFields, customFieldsToForm, isEmptyValue, reapplyWith, withCustomCreate, withCustomPatch, type StoredValues } from '../customFields/values';

export interface ProductFormValues {
  sku: string;
  name: string;
  category?: string | null;
  description?: string | null;
  unit_price?: MoneyValue | null;
  active: boolean;
  custom_fields?: StoredValues;
}

export const PRODUCT_FIELDS = ['sku', 'name', 'category', 'description', 'unit_price', 'active'] as const;
const NEW_PRODUCT: ProductFormValues = { sku: '', name: '', unit_price: null, active: true };

export function productToForm(p: Product, fields: readonly CustomField[] = []): ProductFormValues {
  return {
    custom_fields: customFieldsToForm(fields, (p.custom_fields ?? {}) as StoredValues),
    sku: p.sku,
    name: p.name,
    category: p.category ?? null,
    description: p.description ?? null,
    unit_price: { amount_minor: p.unit_price.amount_minor, currency: p.unit_price.currency },
    active: p.active,
  };
}

function productWire(v: ProductFormValues): Record<string, unknown> {
  return {
    sku: v.sku.trim(),
    name: v.name.trim(),
    category: textOrNull(v.category),
    description: textOrNull(v.description),
    unit_price: v.unit_price ? { amount_minor: v.unit_price.amount_minor, currency: v.unit_price.currency } : null,
    active: v.active,
  };
}

export function toCreateProduct(v: ProductFormValues, fields: readonly CustomField[] = []): CreateProduct {
  return withCustomCreate(withoutNulls(productWire(v)), fields, v.custom_fields) as unknown as CreateProduct;
}

export function toProductPatch(base: Product, v: ProductFormValues, fields: readonly CustomField[] = []): UpdateProduct {
  return withCustomPatch(mergePatch(productWire(productToForm(base)), productWire(v)), fields, base.custom_fields, v.custom_fields) as UpdateProduct;
}

/** Whether a product has a custom field value: its row opens to show them. */
const hasCustomValues = (p: Product) => Object.values((p.custom_fields ?? {}) as StoredValues).some((v) => !isEmptyValue(v));

/** Creates or edits a product; a 412 offers to reload the product and reapply the changes. */
function ProductModal({ open, product, onClose }: { open: boolean; product: Product | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ProductFormValues>();
  const save = useSaveProduct();
  const fields = useCustomFields('products').data ?? [];
  const problem = useFormProblem(form, [...PRODUCT_FIELDS, ...customErrorFields(fields)], {
    wholeFields: ['unit_price'],
    fieldCodes: { 'product.sku_taken': { field: 'sku', text: t('product.skuTaken') } },
    testId: 'product-form-error',
  });
  const toForm = (p: Product) => productToForm(p, fields);
  const changes = (b: Product, v: ProductFormValues) => toProductPatch(b, v, fields);
  const edit = useVersionedEdit({ record: product, latest: (base) => fetchProduct(base.id), form, toForm, changes, reapply: reapplyWith(toForm, changes) });

  useEffect(() => {
    if (!open) return;
    edit.reset(product);
    problem.reset(product ? productToForm(product, fields) : { ...NEW_PRODUCT, custom_fields: customFieldsToForm(fields, null) });
    // only a dialog opened again starts over
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, product, form]);

  const submit = () =>
    problem.submit(async (v) => {
      const outcome = await edit.saveOrCreate(
        v,
        (base, patch) => save.mutateAsync({ kind: 'update', product: base, patch }),
        () => save.mutateAsync({ kind: 'create', body: toCreateProduct(v, fields) }),
      );
      if (outcome === 'stale') return;
      void message.success(outcome === 'created' ? t('product.created') : t('common.saved'));
      onClose();
    });

  return (
    <FormModal
      form={form}
      open={open}
      title={product ? t('product.edit') : t('product.create')}
      onCancel={onClose}
      onOk={() => void submit()}
      confirmLoading={save.isPending}
      okTestId="product-save"
      width={600}
    >
      {edit.notice}
      {problem.alert}
      <Form form={form} layout="vertical" initialValues={NEW_PRODUCT} data-testid="product-form">
        <Row gutter={12}>
          <Col xs={24} sm={10}>
            <Form.Item
              name="sku"
              label={t('product.sku')}
              rules={[{ required: true, whitespace: true, message: t('validation.required') }, { pattern: /^[A-Za-z0-9._-]+$/, message: t('product.skuRule') }, { max: 64 }]}
            >
              <Input data-testid="product-sku" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={14}>
            <Form.Item name="name" label={t('product.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 200 }]}>
              <Input data-testid="product-name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={10}>
            <Form.Item name="category" label={t('product.category')} rules={[{ max: 100 }]}>
              <Input data-testid="product-category" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={14}>
            <Form.Item
              name="unit_price"
              label={t('product.unitPrice')}
              rules={[
                { required: true, message: t('validation.required') },
                { validator: (_r, v?: MoneyValue | null) => (isValidMoney(v) ? Promise.resolve() : Promise.reject(new Error(t('money.invalid')))) },
              ]}
            >
              <MoneyInput data-testid="product-price" />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="description" label={t('product.description')}>
              <Input.TextArea rows={3} data-testid="product-description" />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="active" label={t('product.active')} valuePropName="checked">
              <Switch data-testid="product-active" />
            </Form.Item>
          </Col>
        </Row>
        <CustomFieldInputs fields={fields} mode={product ? 'edit' : 'create'} stored={product ? ((product.custom_fields ?? {}) as StoredValues) : undefined} />
      </Form>
    </FormModal>
  );
}

/** The product catalogue: everyone in sales reads it; roles with sales rights over all records change it. */
/** The record fields the table's columns show, in their order, for the export. */
const PRODUCT_EXPORT_COLUMNS = ['sku', 'name', 'category', 'unit_price', 'active', 'updated_at'];

export default function ProductList() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const me = useMe().data;
  const { message } = App.useApp();
  const { filters, update, field } = useUrlFilters(parseProductFilters, productFiltersToSearch);
  const list = useProductList(filters);
  const remove = useDeleteProduct();
  const deleteFailed = useWriteFailed(() => void list.refetch());
  const [dialog, setDialog] = useState<{ open: boolean; product: Product | null }>({ open: false, product: null });
  const canEdit = scopeOf(me, 'sales', 'update') === 'all';
  const canCreate = scopeOf(me, 'sales', 'create') === 'all';
  const canDelete = scopeOf(me, 'sales', 'delete') === 'all';

  if (list.isError && !list.data) return <ErrorResult error={list.error} onRetry={() => void list.refetch()} />;

  return (
    <div>
      <FilterBar
        data-testid="product-filters"
        search={{ value: filters.q, onChange: (q) => update({ q }), placeholder: t('product.searchPlaceholder'), width: 240, 'data-testid': 'product-search' }}
        extra={
          <>
            <TotalBadge total={cursorTotal(list)} />
            <ExportButton
              path="/api/v1/products/export"
              query={{ ...productFiltersToQuery(filters), ...(filters.active !== undefined ? { active: filters.active } : {}) }}
              columns={PRODUCT_EXPORT_COLUMNS}
              data-testid="product-export"
            />
            {canCreate && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ open: true, product: null })} data-testid="product-new">
                {t('product.create')}
              </Button>
            )}
          </>
        }
      >
        <TextFilter {...field('category')} placeholder={t('product.category')} data-testid="product-filter-category" />
        <FlagFilter {...field('active')} yes={t('product.active')} no={t('product.inactive')} placeholder={t('product.status')} data-testid="product-filter-active" />
      </FilterBar>
      <CursorTable<Product>
        query={list}
        expandable={{ expandedRowRender: (p) => <CustomFieldValues entity="products" values={(p.custom_fields ?? {}) as StoredValues} />, rowExpandable: hasCustomValues }}
        data-testid="product-table"
        columns={[
          { title: t('product.sku'), dataIndex: 'sku', key: 'sku', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: t('product.name'), dataIndex: 'name', key: 'name' },
          { title: t('product.category'), dataIndex: 'category', key: 'category' },
          { title: t('product.unitPrice'), key: 'price', align: 'right' as const, render: (_: unknown, p: Product) => formatMoney(p.unit_price, lang) },
          {
            title: t('product.status'),
            key: 'active',
            render: (_: unknown, p: Product) => (p.active ? <Tag color="success">{t('product.active')}</Tag> : <Tag>{t('product.inactive')}</Tag>),
          },
          { title: t('customer.updatedAt'), key: 'updated', render: (_: unknown, p: Product) => formatDateTime(p.updated_at, lang) },
          ...(canEdit || canDelete
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, p: Product) => (
                    <Space size={0}>
                      {canEdit && <EditLink onClick={() => setDialog({ open: true, product: p })} data-testid="product-edit" />}
                      {canDelete && (
                        <DeleteLink
                          confirm={t('product.deleteConfirm')}
                          onConfirm={() =>
                            remove.mutate(p, {
                              onSuccess: () => void message.success(t('product.deleted')),
                              onError: deleteFailed,
                            })
                          }
                          data-testid="product-delete"
                        />
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <ProductModal open={dialog.open} product={dialog.product} onClose={() => setDialog((d) => ({ ...d, open: false }))} />
    </div>
  );
}
