import { useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Select, Space, Typography } from 'antd';
import { ArrowLeftOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { scopeOf } from '../../app/permissions';
import type { KbCategory } from '../../api/types';
import { ErrorResult } from '../../ui/ErrorResult';
import { FormModal } from '../../ui/FormModal';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { useFormProblem } from '../../ui/formErrors';
import { mergePatch } from '../../ui/mergePatch';
import { hasCode } from '../../ui/problemText';
import { useVersionedEdit, useWriteFailed } from '../../ui/useVersionedEdit';
import { NotFound } from '../../app/NotFound';
import { useMe } from '../auth/useSession';
import { categoryTree } from './kbCategories';
import { useDeleteCategory, useKbCategories, useSaveCategory } from './useKb';
import { FullTable } from '../../ui/FullTable';

interface CategoryValues {
  name: string;
  parent_id?: string | null;
  description?: string | null;
  position?: number | null;
}
const CATEGORY_FIELDS = ['name', 'parent_id', 'description', 'position'] as const;
type Editing = { kind: 'create'; parentId: string | null } | { kind: 'update'; category: KbCategory };
type Row = KbCategory & { children?: Row[] };

const categoryToForm = (c: KbCategory): CategoryValues => ({ name: c.name, parent_id: c.parent_id ?? null, description: c.description ?? '', position: c.position });

/** A category's fields as the API takes them: blank text is null. */
const categoryWire = (v: CategoryValues) => ({ name: v.name.trim(), parent_id: v.parent_id || null, description: v.description?.trim() || null, position: v.position ?? 0 });

/** Whole-value changes of a category, compared with what it was (a merge patch). */
export function categoryPatch(c: KbCategory, v: CategoryValues) {
  return mergePatch(categoryWire(categoryToForm(c)), categoryWire(v));
}

function CategoryModal({ editing, categories, latest, onClose }: {
  editing: Editing | null;
  categories: KbCategory[];
  /** The category as it is now, after someone else changed it. */
  latest: (c: KbCategory) => Promise<KbCategory | undefined>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<CategoryValues>();
  const save = useSaveCategory();
  const problem = useFormProblem(form, CATEGORY_FIELDS, { testId: 'category-error' });
  const category = editing?.kind === 'update' ? editing.category : null;
  const edit = useVersionedEdit({ record: category, latest, form, toForm: categoryToForm, changes: categoryPatch });
  const hasSections = category ? categories.some((c) => c.parent_id === category.id) : false;

  useEffect(() => {
    if (!editing) return;
    edit.reset(editing.kind === 'update' ? editing.category : null);
    problem.reset(editing.kind === 'update' ? categoryToForm(editing.category) : { name: '', parent_id: editing.parentId, description: '', position: 0 });
    // only a dialog opened again starts over
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [editing, form]);

  // two levels: a section's parent is a top-level category other than itself
  const parents = categories.filter((c) => !c.parent_id && c.id !== category?.id).map((c) => ({ value: c.id, label: c.name }));

  const submit = () =>
    problem.submit(async (v) => {
      const outcome = await edit.saveOrCreate(
        v,
        (base, patch) => save.mutateAsync({ kind: 'update', category: base, patch }),
        () => save.mutateAsync({ kind: 'create', body: categoryWire(v) }),
      );
      if (outcome === 'stale') return;
      void message.success(t('common.saved'));
      onClose();
    });

  return (
    <FormModal
      form={form}
      open={editing !== null}
      title={category ? t('kb.editCategory') : t('kb.newCategory')}
      onCancel={onClose}
      onOk={() => void submit()}
      confirmLoading={save.isPending}
      okTestId="category-save"
    >
      {edit.notice}
      {problem.alert}
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
    </FormModal>
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
  const writeFailed = useWriteFailed(() => void categories.refetch());
  const [editing, setEditing] = useState<Editing | null>(null);

  if (scopeOf(me, 'service', 'update') !== 'all') return <NotFound />;
  if (categories.isError) return <ErrorResult error={categories.error} onRetry={() => void categories.refetch()} />;
  const all = categories.data ?? [];
  const rows: Row[] = categoryTree(all).map(({ category, sections }) => ({ ...category, children: sections.length > 0 ? sections : undefined }));

  const onDelete = (c: KbCategory) =>
    remove.mutate(c, {
      onSuccess: () => void message.success(t('kb.categoryDeleted')),
      onError: (e) =>
        hasCode(e, 'kb_category.not_empty') ? void message.error(t('kb.categoryNotEmpty')) : writeFailed(e),
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
        <FullTable<Row>
          size="middle"
          loading={categories.isPending}
          dataSource={rows}
          // two levels, always open: a new section shows at once under its category
          expandable={{ expandedRowKeys: rows.filter((r) => r.children).map((r) => r.id), expandIcon: () => null }}
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
                  <EditLink onClick={() => setEditing({ kind: 'update', category: c })} data-testid="category-edit" />
                  <DeleteLink confirm={t('kb.deleteCategoryConfirm', { name: c.name })} onConfirm={() => onDelete(c)} data-testid="category-delete" />
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <CategoryModal
        editing={editing}
        categories={all}
        latest={async (c) => (await categories.refetch()).data?.find((x) => x.id === c.id)}
        onClose={() => setEditing(null)}
      />
    </div>
  );
}
