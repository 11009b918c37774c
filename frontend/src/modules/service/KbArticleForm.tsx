import { App, Col, Form, Input, Row, Select, TreeSelect } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { ARTICLE_STATUSES, ARTICLE_VISIBILITIES, type Article } from '../../api/types';
import { EnumRadio } from '../../ui/EnumRadio';
import { Loaded } from '../../ui/ErrorResult';
import { useFormProblem } from '../../ui/formErrors';
import { useVersionedEdit } from '../../ui/useVersionedEdit';
import { MarkdownEditor } from '../../ui/MarkdownEditor';
import {
  ARTICLE_FIELDS, articleToForm, newArticleValues, reapplyArticle, toArticlePatch, toCreateArticle, type ArticleFormValues,
} from './articleForm';
import { categoryTreeData } from './kbCategories';
import { useArticle, useCreateArticle, useKbCategories, useUpdateArticle } from './useKb';
import { FormPageCard, ProblemForm, SaveCancel } from '../../ui/FormPage';

export const TITLE_MAX = 200;
export const BODY_MAX = 100_000;

interface FormProps {
  initial: ArticleFormValues;
  mode: 'create' | 'edit';
  submitting: boolean;
  banner?: React.ReactNode;
  form: ReturnType<typeof Form.useForm<ArticleFormValues>>[0];
  onSubmit: (v: ArticleFormValues) => Promise<void>;
  onCancel: () => void;
}

/** The article editor: title, category, visibility, status, tags, the Markdown body with its preview, and (edits) a change note. */
export function ArticleForm({ initial, mode, submitting, banner, form, onSubmit, onCancel }: FormProps) {
  const { t } = useTranslation();
  const categories = useKbCategories();
  const problem = useFormProblem(form, ARTICLE_FIELDS, { testId: 'article-form-error' });

  return (
    <ProblemForm<ArticleFormValues> form={form} initialValues={initial} problem={problem} onSave={onSubmit} notice={banner} data-testid="article-form">
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Form.Item name="title" label={t('kb.titleLabel')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: TITLE_MAX }]}>
            <Input maxLength={TITLE_MAX} data-testid="article-title-input" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12} lg={6}>
          <Form.Item name="category_id" label={t('kb.category')}>
            <TreeSelect
              allowClear
              treeDefaultExpandAll
              placeholder={t('kb.uncategorised')}
              treeData={categoryTreeData(categories.data ?? [])}
              loading={categories.isPending}
              data-testid="article-category"
            />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12} lg={6}>
          <Form.Item name="tags" label={t('kb.tags')}>
            <Select mode="tags" tokenSeparators={[',', '，']} open={false} suffixIcon={null} placeholder={t('kb.tagsHint')} data-testid="article-tags" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="visibility" label={t('kb.visibilityLabel')} extra={t('kb.visibilityHint')}>
            <EnumRadio values={ARTICLE_VISIBILITIES} labelKey="kb.visibility" optionTestIdPrefix="article-visibility" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="status" label={t('kb.statusLabel')}>
            <EnumRadio values={ARTICLE_STATUSES} labelKey="kb.status" optionTestIdPrefix="article-status" />
          </Form.Item>
        </Col>
        <Col xs={24}>
          <Form.Item
            name="body"
            label={t('kb.body')}
            extra={t('kb.markdownHint')}
            rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: BODY_MAX }]}
          >
            <MarkdownEditor maxLength={BODY_MAX} placeholder={t('kb.bodyPlaceholder')} data-testid="article-body-editor" />
          </Form.Item>
        </Col>
        {mode === 'edit' && (
          <Col xs={24}>
            <Form.Item name="note" label={t('kb.note')} extra={t('kb.noteHint')} rules={[{ max: 500 }]}>
              <Input maxLength={500} data-testid="article-note" />
            </Form.Item>
          </Col>
        )}
      </Row>
      <SaveCancel saving={submitting} saveTestId="article-save" onCancel={onCancel} />
    </ProblemForm>
  );
}

/** A new article (`/service/kb/new`, `?category_id=` presets the category). */
export function KbArticleCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const create = useCreateArticle();
  const { message } = App.useApp();
  const [form] = Form.useForm<ArticleFormValues>();
  return (
    <FormPageCard title={t('kb.create')}>
      <ArticleForm
        form={form}
        mode="create"
        initial={newArticleValues(params.get('category_id') ?? undefined)}
        submitting={create.isPending}
        onCancel={() => navigate('/service/kb')}
        onSubmit={async (v) => {
          const a = await create.mutateAsync(toCreateArticle(v));
          void message.success(t('kb.createdMessage'));
          navigate(`/service/kb/articles/${a.id}`, { replace: true });
        }}
      />
    </FormPageCard>
  );
}

/** Editing an article (`/service/kb/articles/:id/edit`); a stale save offers to reload and reapply. */
export function KbArticleEdit() {
  const { id = '' } = useParams();
  const article = useArticle(id);
  return <Loaded query={article}>{(data) => <EditForm key={data.id} article={data} refetch={async () => (await article.refetch()).data} />}</Loaded>;
}

function EditForm({ article, refetch }: { article: Article; refetch: () => Promise<Article | undefined> }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const update = useUpdateArticle();
  const { message } = App.useApp();
  const [form] = Form.useForm<ArticleFormValues>();
  const edit = useVersionedEdit({
    record: article,
    latest: refetch,
    form,
    toForm: articleToForm,
    changes: toArticlePatch,
    // the change note is the user's own, whatever the latest version is
    reapply: reapplyArticle,
  });
  const back = () => navigate(`/service/kb/articles/${article.id}`, { state: { counted: true } });

  return (
    <FormPageCard title={<>{t('kb.edit')}: {(edit.base ?? article).title}</>}>
      <ArticleForm
        form={form}
        mode="edit"
        initial={articleToForm(article)}
        submitting={update.isPending}
        banner={edit.notice}
        onCancel={back}
        onSubmit={async (v) => {
          const outcome = await edit.saveChanges(v, (base, patch) => update.mutateAsync({ article: base, patch }));
          if (outcome === 'stale') return;
          if (outcome === 'saved') void message.success(t('common.saved'));
          back();
        }}
      />
    </FormPageCard>
  );
}
