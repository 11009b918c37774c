import { useEffect, useState } from 'react';
import { App, Button, Col, Empty, Form, Input, InputNumber, Row, Select, Space, Switch, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import {
  CUSTOM_ENTITIES, FIELD_TYPES, type CreateCustomField, type CustomEntity, type CustomField, type FieldOption, type FieldType, type UpdateCustomField,
} from '../../api/types';
import { ErrorResult } from '../../ui/ErrorResult';
import { FullTable } from '../../ui/FullTable';
import { mergePatch, textOrNull } from '../../ui/mergePatch';
import { NewButton } from '../../ui/NewButton';
import { RecordFormModal, useRecordDialog } from '../../ui/RecordDialog';
import { DeleteLink, EditLink } from '../../ui/RowActions';
import { enumOptions } from '../../ui/useOptions';
import { useWriteFailed } from '../../ui/useVersionedEdit';
import { CustomFieldControl } from '../customFields/CustomFieldInputs';
import {
  fetchCustomField, useCreateCustomField, useCustomFields, useRestoreCustomField, useRetireCustomField, useUpdateCustomField,
} from '../customFields/useCustomFields';
import { fieldLabel, toFormValue, toWireValue } from '../customFields/values';

/** An option as the editor holds it: `saved` ones exist on the server and can only be retired. */
export interface OptionRow {
  value: string;
  label_zh: string;
  label_en: string;
  retired: boolean;
  saved?: boolean;
}

export interface CustomFieldFormValues {
  key: string;
  label_zh: string;
  label_en: string;
  field_type: FieldType;
  options: OptionRow[];
  required: boolean;
  /** As the field's own input holds it (see `toFormValue`). */
  default_value?: unknown;
  help_zh: string;
  help_en: string;
  position?: number | null;
}

export const CUSTOM_FIELD_FIELDS = ['entity', 'key', 'label_zh', 'label_en', 'field_type', 'options', 'required', 'default_value', 'help_zh', 'help_en', 'position'] as const;

const NEW_FIELD: CustomFieldFormValues = {
  key: '', label_zh: '', label_en: '', field_type: 'text', options: [], required: false, default_value: undefined, help_zh: '', help_en: '', position: null,
};

const hasOptions = (type: FieldType) => type === 'select' || type === 'multiselect';

export function customFieldToForm(f: CustomField): CustomFieldFormValues {
  return {
    key: f.key,
    label_zh: f.label_zh,
    label_en: f.label_en,
    field_type: f.field_type,
    options: f.options.map((o) => ({ value: o.value, label_zh: o.label_zh, label_en: o.label_en, retired: Boolean(o.retired), saved: true })),
    required: f.required,
    default_value: toFormValue(f.field_type, f.default_value),
    help_zh: f.help_zh ?? '',
    help_en: f.help_en ?? '',
    position: f.position,
  };
}

/** The options as the API takes them: trimmed, without the editor's own marks. */
function cleanOptions(rows: readonly OptionRow[] | undefined): FieldOption[] {
  return (rows ?? []).map((o) => ({ value: (o.value ?? '').trim(), label_zh: (o.label_zh ?? '').trim(), label_en: (o.label_en ?? '').trim(), retired: Boolean(o.retired) }));
}

/** What an edit may change, as the API takes it. */
function editable(v: CustomFieldFormValues) {
  return {
    label_zh: (v.label_zh ?? '').trim(),
    label_en: (v.label_en ?? '').trim(),
    ...(hasOptions(v.field_type) ? { options: cleanOptions(v.options) } : {}),
    required: Boolean(v.required),
    default_value: toWireValue(v.field_type, v.default_value),
    help_zh: textOrNull(v.help_zh),
    help_en: textOrNull(v.help_en),
    ...(v.position === null || v.position === undefined ? {} : { position: v.position }),
  };
}

export function customFieldCreateBody(entity: CustomEntity, v: CustomFieldFormValues): CreateCustomField {
  const e = editable(v);
  return {
    entity,
    key: (v.key ?? '').trim(),
    field_type: v.field_type,
    ...e,
    default_value: (e.default_value ?? undefined) as CreateCustomField['default_value'],
  } as CreateCustomField;
}

/** Only what changed (a merge patch); a cleared default is null. The options go whole when any changed. */
export function customFieldPatch(field: CustomField, v: CustomFieldFormValues): UpdateCustomField {
  return mergePatch(editable(customFieldToForm(field)), editable({ ...v, field_type: field.field_type })) as UpdateCustomField;
}

/** A choice field's options in a line: the first few labels, retired ones struck through. */
function OptionsSummary({ field }: { field: CustomField }) {
  const { t, i18n } = useTranslation();
  if (!hasOptions(field.field_type)) return <Typography.Text type="secondary">—</Typography.Text>;
  const shown = field.options.slice(0, 4);
  return (
    <Space size={[0, 4]} wrap style={{ maxWidth: 320 }} data-testid="custom-field-options">
      {shown.map((o) => (
        <Tag key={o.value}>{o.retired ? <del>{fieldLabel(o, i18n.language)}</del> : fieldLabel(o, i18n.language)}</Tag>
      ))}
      {field.options.length > shown.length && (
        <Tooltip title={field.options.slice(4).map((o) => fieldLabel(o, i18n.language)).join(', ')}>
          <Tag>{t('customField.optionsMore', { count: field.options.length - shown.length })}</Tag>
        </Tooltip>
      )}
    </Space>
  );
}

/** The options of a choice field: new ones may be removed, saved ones only retired. */
function OptionsEditor() {
  const { t } = useTranslation();
  return (
    <Form.List
      name="options"
      rules={[
        {
          validator: (_r, rows: OptionRow[] | undefined) =>
            (rows ?? []).some((o) => !o.retired) ? Promise.resolve() : Promise.reject(new Error(t('customField.optionsNeeded'))),
        },
      ]}
    >
      {(items, { add, remove }, { errors }) => (
        <div data-testid="custom-field-options-editor">
          <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{t('customField.savedOptionHint')}</Typography.Paragraph>
          {items.map((item, i) => (
            <Form.Item key={item.key} noStyle shouldUpdate>
              {({ getFieldValue }) => {
                const saved = Boolean(getFieldValue(['options', item.name, 'saved']));
                return (
                  <Row gutter={8} align="top" data-testid="custom-field-option-row">
                    <Col xs={24} sm={6}>
                      <Form.Item name={[item.name, 'value']} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
                        <Input disabled={saved} placeholder={t('customField.optionValue')} aria-label={t('customField.optionValue')} data-testid={`cf-option-value-${i}`} />
                      </Form.Item>
                    </Col>
                    <Col xs={12} sm={6}>
                      <Form.Item name={[item.name, 'label_zh']} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
                        <Input placeholder={t('customField.optionLabelZh')} aria-label={t('customField.optionLabelZh')} data-testid={`cf-option-label_zh-${i}`} />
                      </Form.Item>
                    </Col>
                    <Col xs={12} sm={6}>
                      <Form.Item name={[item.name, 'label_en']} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
                        <Input placeholder={t('customField.optionLabelEn')} aria-label={t('customField.optionLabelEn')} data-testid={`cf-option-label_en-${i}`} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} sm={6}>
                      <Space>
                        <Form.Item name={[item.name, 'retired']} valuePropName="checked" noStyle>
                          <Switch size="small" aria-label={t('customField.optionRetired')} data-testid={`cf-option-retired-${i}`} />
                        </Form.Item>
                        <span>{t('customField.optionRetired')}</span>
                        {!saved && (
                          <Tooltip title={t('customField.removeOption')}>
                            <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => remove(item.name)} aria-label={t('customField.removeOption')} data-testid={`cf-option-remove-${i}`} />
                          </Tooltip>
                        )}
                      </Space>
                    </Col>
                  </Row>
                );
              }}
            </Form.Item>
          ))}
          <Button icon={<PlusOutlined />} onClick={() => add({ value: '', label_zh: '', label_en: '', retired: false })} data-testid="cf-option-add">
            {t('customField.addOption')}
          </Button>
          <Form.ErrorList errors={errors} />
        </div>
      )}
    </Form.List>
  );
}

/** The default-value input: the field's own input, over the options being edited. */
function DefaultValueItem() {
  const { t } = useTranslation();
  return (
    <Form.Item noStyle shouldUpdate={(a: CustomFieldFormValues, b: CustomFieldFormValues) => a.field_type !== b.field_type || a.options !== b.options}>
      {({ getFieldValue }) => {
        const type = getFieldValue('field_type') as FieldType;
        const options = cleanOptions(getFieldValue('options') as OptionRow[] | undefined).filter((o) => o.value !== '' && !o.retired);
        return (
          <Form.Item name="default_value" label={t('customField.defaultValue')} extra={t('customField.defaultHint')}>
            <CustomFieldControl key={type} field={{ field_type: type, options }} data-testid="cf-def-default" />
          </Form.Item>
        );
      }}
    </Form.Item>
  );
}

/** Administrators define the custom fields of each kind of record: add, edit, retire and restore. */
export function CustomFieldsTab() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { message } = App.useApp();
  const [entity, setEntity] = useState<CustomEntity>('customers');
  const [showRetired, setShowRetired] = useState(false);
  const fields = useCustomFields(entity);
  const create = useCreateCustomField();
  const update = useUpdateCustomField();
  const retire = useRetireCustomField();
  const restore = useRestoreCustomField();
  const writeFailed = useWriteFailed(() => void fields.refetch());
  const dialog = useRecordDialog({
    fields: CUSTOM_FIELD_FIELDS,
    errorTestId: 'custom-field-form-error',
    blank: NEW_FIELD,
    latest: (base: CustomField) => fetchCustomField(base.id),
    toForm: customFieldToForm,
    changes: customFieldPatch,
    fieldCodes: { 'custom_field.key_taken': { field: 'key', text: t('customField.keyTaken') } },
  });
  const type = Form.useWatch('field_type', dialog.form);
  const editing = dialog.record !== null;

  // a new field's default is of its type: another type starts it over
  useEffect(() => {
    if (!editing) dialog.form.setFieldValue('default_value', undefined);
    // only the type chosen matters
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [type]);

  const submit = () =>
    dialog.save(
      (base, patch) => update.mutateAsync({ field: base, patch }),
      async (v) => {
        await create.mutateAsync(customFieldCreateBody(entity, v));
        void message.success(t('customField.created'));
      },
    );

  const setRetired = (f: CustomField, retired: boolean) => {
    const label = fieldLabel(f, lang);
    if (retired) retire.mutate(f, { onSuccess: () => void message.success(t('customField.retiredDone', { label })), onError: writeFailed });
    else restore.mutate(f, { onSuccess: () => void message.success(t('customField.restoredDone', { label })), onError: writeFailed });
  };

  const rows = (fields.data ?? []).filter((f) => showRetired || !f.retired);

  return (
    <div data-testid="custom-fields-settings">
      <Typography.Paragraph type="secondary">{t('customField.intro')}</Typography.Paragraph>
      <div className="filter-bar">
        <Select<CustomEntity>
          value={entity}
          onChange={setEntity}
          options={enumOptions(t, CUSTOM_ENTITIES, 'customField.entity')}
          style={{ width: 180 }}
          aria-label={t('customField.entityLabel')}
          data-testid="custom-field-entity"
        />
        <Space>
          <Switch checked={showRetired} onChange={setShowRetired} aria-label={t('customField.showRetired')} data-testid="custom-field-show-retired" />
          <span>{t('customField.showRetired')}</span>
        </Space>
      </div>
      <NewButton onClick={() => dialog.open(null)} data-testid="custom-field-new">{t('customField.new')}</NewButton>
      {fields.isError ? (
        <ErrorResult error={fields.error} onRetry={() => void fields.refetch()} />
      ) : (
        <FullTable<CustomField>
          size="middle"
          dataSource={rows}
          loading={fields.isPending || retire.isPending || restore.isPending}
          locale={{ emptyText: <Empty description={t('customField.none')} /> }}
          data-testid="custom-fields-table"
          onRow={(f) => ({ 'data-field-key': f.key, 'data-testid': 'custom-field-row' }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t('customField.position'), dataIndex: 'position', key: 'position', width: 72 },
            { title: t('customField.label'), key: 'label', render: (_: unknown, f: CustomField) => <span data-testid="custom-field-label">{fieldLabel(f, lang)}</span> },
            { title: t('customField.key'), key: 'key', render: (_: unknown, f: CustomField) => <Typography.Text code>{f.key}</Typography.Text> },
            { title: t('customField.fieldType'), key: 'type', render: (_: unknown, f: CustomField) => <Tag>{t(`customField.type.${f.field_type}`)}</Tag> },
            {
              title: t('customField.required'),
              key: 'required',
              render: (_: unknown, f: CustomField) => (f.required ? <Tag color="orange">{t('customField.required')}</Tag> : <Typography.Text type="secondary">—</Typography.Text>),
            },
            { title: t('customField.options'), key: 'options', render: (_: unknown, f: CustomField) => <OptionsSummary field={f} /> },
            {
              title: t('customField.state'),
              key: 'state',
              render: (_: unknown, f: CustomField) =>
                f.retired ? <Tag data-testid="custom-field-retired">{t('customField.retired')}</Tag> : <Tag color="success">{t('customField.inUse')}</Tag>,
            },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, f: CustomField) => (
                <Space size={0} wrap>
                  <EditLink onClick={() => dialog.open(f)} data-testid="custom-field-edit" />
                  {f.retired ? (
                    <Button size="small" type="link" onClick={() => setRetired(f, false)} data-testid="custom-field-restore">{t('customField.restore')}</Button>
                  ) : (
                    <DeleteLink
                      confirm={t('customField.retireConfirm', { label: fieldLabel(f, lang) })}
                      label={t('customField.retire')}
                      confirmButton={{ danger: true, testId: 'custom-field-retire-confirm' }}
                      onConfirm={() => setRetired(f, true)}
                      data-testid="custom-field-retire"
                    />
                  )}
                </Space>
              ),
            },
          ]}
        />
      )}
      <RecordFormModal
        dialog={dialog}
        width={760}
        title={editing ? t('customField.edit') : `${t('customField.new')} · ${t(`customField.entity.${entity}`)}`}
        onOk={() => void submit()}
        confirmLoading={create.isPending || update.isPending}
        okText={editing ? t('common.save') : t('customField.create')}
        okTestId="custom-field-save"
        initialValues={NEW_FIELD}
        formTestId="custom-field-form"
      >
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="label_zh" label={t('customField.labelZh')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
              <Input autoFocus data-testid="cf-def-label_zh" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="label_en" label={t('customField.labelEn')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
              <Input data-testid="cf-def-label_en" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="key"
              label={t('customField.key')}
              extra={editing ? t('customField.keyFixed') : t('customField.keyRule')}
              rules={editing ? [] : [{ required: true, message: t('validation.required') }, { pattern: /^[a-z][a-z0-9_]{0,39}$/, message: t('customField.keyRule') }]}
            >
              <Input disabled={editing} data-testid="cf-def-key" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="field_type" label={t('customField.fieldType')} extra={editing ? t('customField.typeFixed') : undefined}>
              <Select disabled={editing} options={enumOptions(t, FIELD_TYPES, 'customField.type')} data-testid="cf-def-type" />
            </Form.Item>
          </Col>
        </Row>
        {hasOptions(type ?? 'text') && (
          <Form.Item label={t('customField.options')} required>
            <OptionsEditor />
          </Form.Item>
        )}
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <DefaultValueItem />
          </Col>
          <Col xs={12} sm={6}>
            <Form.Item name="required" label={t('customField.required')} valuePropName="checked" tooltip={t('customField.requiredHint')}>
              <Switch data-testid="cf-def-required" />
            </Form.Item>
          </Col>
          <Col xs={12} sm={6}>
            <Form.Item name="position" label={t('customField.position')} tooltip={t('customField.positionHint')} rules={[{ type: 'integer', min: 0, max: 10000, message: t('validation.range', { min: 0, max: 10000 }) }]}>
              <InputNumber min={0} max={10000} precision={0} style={{ width: '100%' }} data-testid="cf-def-position" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="help_zh" label={t('customField.helpZh')} rules={[{ max: 500 }]}>
              <Input.TextArea rows={2} data-testid="cf-def-help_zh" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="help_en" label={t('customField.helpEn')} rules={[{ max: 500 }]}>
              <Input.TextArea rows={2} data-testid="cf-def-help_en" />
            </Form.Item>
          </Col>
        </Row>
      </RecordFormModal>
    </div>
  );
}
