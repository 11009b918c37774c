import type { ReactNode } from 'react';
import { Button, Card, Form, Space, Typography, type FormProps } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FormProblem } from './formErrors';

/** The card a create or edit page's form stands in, with the page's heading ("New ticket", "Edit: …") as its title. */
export function FormPageCard({ title, className, children }: { title: ReactNode; className?: string; children?: ReactNode }) {
  return (
    <Card title={<Typography.Title level={4} style={{ margin: 0 }}>{title}</Typography.Title>} className={className}>
      {children}
    </Card>
  );
}

/** The foot of a page's form: "Save", which submits the form, and "Cancel". */
export function SaveCancel({ saving, saveTestId, onCancel }: {
  /** The save is under way: the button spins. */
  saving: boolean;
  saveTestId: string;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Space>
      <Button type="primary" htmlType="submit" loading={saving} data-testid={saveTestId}>
        {t('common.save')}
      </Button>
      <Button onClick={onCancel}>{t('common.cancel')}</Button>
    </Space>
  );
}

type ProblemFormProps<V> = Omit<FormProps<V>, 'layout' | 'onFinish' | 'onFinishFailed' | 'scrollToFirstError' | 'children'> & {
  /** The form's server errors: `useFormProblem` over the same form. */
  problem: FormProblem<V>;
  /** Saves valid values; when it fails, the problem shows why. */
  onSave: (values: V) => Promise<unknown>;
  /** What stands above the problem's alert, such as the notice that someone else saved the record meanwhile. */
  notice?: ReactNode;
  'data-testid'?: string;
  children?: ReactNode;
};

/**
 * A page's form with its fields above one another, submitted through {@link FormProblem.submitProps}:
 * "Save" validates, a refusal scrolls to the first field in error, and a failed save shows its field
 * errors at their fields and the rest in the alert above them, below `notice`.
 */
export function ProblemForm<V>({ problem, onSave, notice, children, ...form }: ProblemFormProps<V>) {
  return (
    <Form<V> layout="vertical" {...form} {...problem.submitProps(onSave)}>
      {notice}
      {problem.alert}
      {children}
    </Form>
  );
}
