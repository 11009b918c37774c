import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Typography } from 'antd';
import { ArrowLeftOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { scopeOf } from '../../app/permissions';
import { isProblemError } from '../../api/problem';
import type { KbCategory } from '../../api/types';
import { ErrorResult } from '../../ui/ErrorResult';
import { applyProblemToForm } from '../../ui/formErrors';
import { NotFound } from '../../app/NotFound';
import { useMe } from '../auth/useSession';
import { categoryTree } from './kbCategories';
import { useDeleteCategory, useKbCategories, useSaveCategory } from './useKb';

interface CategoryValues {
  name: string;
  parent_id?: string | null;
  description?: string | null;
  position?: number | null;
}
const CATEGORY_FIELDS = ['name', 'parent_id', 'description', 'position'] as const;
type Editing = { kind: 'create'; parentId: string | null } | { kind: 'update'; category: KbCategory };
type Row = KbCategory & { children?: Row[] };

/** Whole-value changes of a category, compared with what it was. */
export function categoryPatch(c: KbCategory, v: CategoryValues) {
  const next = { name: v.name.trim(), parent_id: v.parent_id || null, description: v.description?.trim() || null, position: v.position ?? 0 };
  const before = { name: c.name, parent_id: c.parent_id ?? null, description: c.description ?? null, position: c.position };
  return Object.fromEntries(Object.entries(next).filter(([k, val]) => before[k as keyof typeof before] !== val));
}

function CategoryModal({ editing, categories, onClose }: { editing: Editing | null; categories: KbCategory[]; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<CategoryValues>();
  const save = useSaveCategory();
  const [error, setError] = useState<string | null>(null);
  const category = editing?.kind === 'update' ? editing.category : null;
  const hasSections = category ? categories.some((c) => c.parent_id === category.id) : false;

  useEffect(() => {
    if (!editing) return;
    setError(null);
    form.resetFields();
    form.setFieldsValue(
      editing.kind === 'update'
        ? { name: editing.category.name, parent_id: editing.category.parent_id ?? null, description: editing.category.description ?? '', position: editing.category.position }
        : { name: '', parent_id: editing.parentId, description: '', position: 0 },
    );
  }, [editing, form]);

  // two levels: a section's parent is a top-level category other than itself
  const parents = categories.filter((c) => !c.parent_id && c.id !== category?.id).map((c) => ({ value: c.id, label: c.name }));

  const submit = async () => {
    let v: CategoryValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setError(null);
    try {
      if (editing?.kind === 'update') {
        const patch = categoryPatch(editing.category, v);
        if (Object.keys(patch).length > 0) await save.mutateAsync({ kind: 'update', category: editing.category, patch });
      } else {
        await save.mutateAsync({
          kind: 'create',
          body: { name: v.name.trim(), parent_id: v.parent_id || null, description: v.description?.trim() || null, position: v.position ?? 0 },
        });
      }
      void message.success(t('common.saved'));
      onClose();
    } catch (e) {
      if (isProblemError(e) && e.status === 412) {
        setError(t('kb.categoryStale'));
        return;
      }
      setError(applyProblemToForm(form, e, CATEGORY_FIELDS));
    }
  };

  return (
    <Modal
      open={editing !== null}
      title={category ? t('kb.editCategory') : t('kb.newCategory')}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'category-save' } as { danger?: boolean }}
      forceRender
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="category-error" />}
      <Form form={form} layout="vertical" data-testid="category-form">
        <Form.Item name="name" label={t('kb.categoryName')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
          <Input maxLength={100} data-testid="category-name" />
        </Form.Item>
        <Form.Item name="parent_id" label={t('kb.parentCategory')} extra={hasSections ? t('kb.hasSectionsHint') : t('kb.parentHint')}>
          <Select allowClear disabled={hasSections} placeholder={t('kb.topLevel')} options={parents} data-testid="category-parent" />
        </Form.Item>
        <Form.Item name="description" label={t('settings.description')} rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
        <Form.Item name="position" label={t('kb.position')} extra={t('kb.positionHint')}>
          <InputNumber min={-100000} max={100000} precision={0} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Knowledge-base categories (`/service/kb/categories`): create, rename, move under another, delete empty ones. */
export default function KbCategories() {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const { message } = App.useApp();
  const categories = useKbCategories();
  const remove = useDeleteCategory();
  const [editing, setEditing] = useState<Editing | null>(null);

  if (scopeOf(me, 'service', 'update') !== 'all') return <NotFound />;
  if (categories.isError) return <ErrorResult error={categories.error} onRetry={() => void categories.refetch()} />;
  const all = categories.data ?? [];
  const rows: Row[] = categoryTree(all).map(({ category, sections }) => ({ ...category, children: sections.length > 0 ? sections : undefined }));

  const onDelete = (c: KbCategory) =>
    remove.mutate(c, {
      onSuccess: () => void message.success(t('kb.categoryDeleted')),
      onError: (e) =>
        void message.error(
          isProblemError(e) && e.status === 409 ? t('kb.categoryNotEmpty') : isProblemError(e) && e.status === 412 ? t('kb.categoryStale') : e.message,
        ),
    });

  return (
    <div>
      <div className="page-head">
        <Space wrap>
          <Button icon={<ArrowLeftOutlined />} onClick={() => navigate('/service/kb')}>{t('common.back')}</Button>
          <Typography.Title level={3}>{t('kb.categories')}</Typography.Title>
        </Space>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'create', parentId: null })} data-testid="category-new">
          {t('kb.newCategory')}
        </Button>
      </div>
      <Card size="small">
        <Table<Row>
          rowKey="id"
          size="middle"
          loading={categories.isPending}
          dataSource={rows}
          pagination={false}
          // two levels, always open: a new section shows at once under its category
          expandable={{ expandedRowKeys: rows.filter((r) => r.children).map((r) => r.id), expandIcon: () => null }}
          scroll={{ x: 'max-content' }}
          data-testid="category-table"
          onRow={(c) => ({ 'data-name': c.name } as React.HTMLAttributes<HTMLElement>)}
          columns={[
            { title: t('kb.categoryName'), dataIndex: 'name' },
            { title: t('settings.description'), dataIndex: 'description', render: (v?: string | null) => v || '—' },
            { title: t('kb.articleCount'), dataIndex: 'article_count' },
            { title: t('kb.position'), dataIndex: 'position' },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, c: Row) => (
                <Space>
                  {!c.parent_id && (
                    <Button size="small" type="link" onClick={() => setEditing({ kind: 'create', parentId: c.id })} data-testid="category-add-section">
                      {t('kb.addSection')}
                    </Button>
                  )}
                  <Button size="small" type="link" onClick={() => setEditing({ kind: 'update', category: c })} data-testid="category-edit">
                    {t('common.edit')}
                  </Button>
                  <Popconfirm title={t('kb.deleteCategoryConfirm', { name: c.name })} okText={t('common.delete')} cancelText={t('common.cancel')} onConfirm={() => onDelete(c)}>
                    <Button size="small" type="link" danger data-testid="category-delete">{t('common.delete')}</Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <CategoryModal editing={editing} categories={all} onClose={() => setEditing(null)} />
    </div>
  );
}
