import { useEffect, useState } from 'react';
import { App, Button, Form } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { CustomEntity } from '../../api/types';
import { FormModal } from '../../ui/FormModal';
import { useFormProblem } from '../../ui/formErrors';
import { CustomFieldInputs } from './CustomFieldInputs';
import { useCustomFields } from './useCustomFields';
import { customErrorFields, customFieldsPatch, customFieldsToForm, type StoredValues } from './values';

/**
 * "Edit custom fields" on a record's page whose other fields are not edited in a form (a ticket, a
 * confirmed order): a dialog with the fields in use, sending the changed keys as a merge patch
 * through `save` (with the record's version: a 412 says so above the form). Nothing when the kind
 * has no field in use.
 */
export function EditCustomFieldsButton({ entity, values, save, disabled }: {
  entity: CustomEntity;
  /** The record's stored values. */
  values: StoredValues;
  /** Sends the merge patch of the custom fields. */
  save: (patch: StoredValues) => Promise<unknown>;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const fields = useCustomFields(entity).data ?? [];
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ custom_fields: StoredValues }>();
  const problem = useFormProblem(form, customErrorFields(fields), { testId: 'custom-fields-dialog-error' });

  useEffect(() => {
    if (open) problem.reset({ custom_fields: customFieldsToForm(fields, values) });
    // only a dialog opened again starts over
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  if (!fields.some((f) => !f.retired)) return null;

  const submit = () =>
    problem.submit(async (v) => {
      const patch = customFieldsPatch(fields, values, v.custom_fields);
      if (Object.keys(patch).length > 0) {
        setSaving(true);
        try {
          await save(patch);
        } finally {
          setSaving(false);
        }
        void message.success(t('common.saved'));
      }
      setOpen(false);
    });

  return (
    <>
      <Button icon={<EditOutlined />} onClick={() => setOpen(true)} disabled={disabled} data-testid="edit-custom-fields">
        {t('customField.editValues')}
      </Button>
      <FormModal form={form} open={open} title={t('customField.editValues')} onCancel={() => setOpen(false)} onOk={() => void submit()} confirmLoading={saving} okTestId="custom-fields-save" width={720}>
        {problem.alert}
        <Form form={form} layout="vertical" data-testid="custom-fields-form">
          <CustomFieldInputs fields={fields} mode="edit" stored={values} />
        </Form>
      </FormModal>
    </>
  );
}
