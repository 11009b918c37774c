import { Alert, Form, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { useDebounced } from '../../../ui/useDebounced';
import { regionFields } from '../regions';
import { CandidateFacts, CandidateLink, ReasonTags } from './parts';
import { useDuplicateCheck, worthChecking, type DuplicateCheck } from './useDuplicates';

/** A text the form holds, as the check wants it: blank or masked (`138****5678`) is left out. */
function clear(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  return v === '' || v.includes('*') ? null : v;
}

/** What the form's current values say about the customer, for the duplicate check. */
export function checkBody(values: { name?: unknown; region?: unknown; phone?: unknown; email?: unknown; credit_code?: unknown; kind?: unknown }, excludeId?: string): DuplicateCheck {
  const { province, city } = regionFields(Array.isArray(values.region) ? (values.region as string[]) : []);
  const body: DuplicateCheck = {};
  const name = clear(values.name);
  if (name) body.name = name;
  if (province) body.province = province;
  if (city) body.city = city;
  const phone = clear(values.phone);
  if (phone) body.phone = phone;
  const email = clear(values.email);
  if (email) body.email = email;
  // the form shows the credit code for companies only
  const creditCode = values.kind === 'individual' ? null : clear(values.credit_code);
  if (creditCode) body.credit_code = creditCode;
  if (excludeId) body.exclude_id = excludeId;
  return body;
}

/**
 * "Possible duplicates" above a customer form's save button: customers with the same phone, email
 * or credit code, or a very similar name in the same city, checked as the user types (400 ms after
 * the last change). A warning: saving stays possible. Rendered inside the customer form; an edit
 * leaves its own customer out (`excludeId`, by default the route's `:id`).
 */
export function DuplicateCandidates({ mode, excludeId }: { mode: 'create' | 'edit'; excludeId?: string }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const { id: routeId } = useParams();
  const values = {
    kind: Form.useWatch('kind', form) as unknown,
    name: Form.useWatch('name', form) as unknown,
    region: Form.useWatch('region', form) as unknown,
    phone: Form.useWatch('phone', form) as unknown,
    email: Form.useWatch('email', form) as unknown,
    credit_code: Form.useWatch('credit_code', form) as unknown,
  };
  const body = useDebounced(JSON.stringify(checkBody(values, mode === 'edit' ? excludeId ?? routeId : undefined)), 400);
  const settled = JSON.parse(body) as DuplicateCheck;
  const check = useDuplicateCheck(settled);
  // nothing to check any more (the fields were emptied): the last answer no longer applies
  const found = check.isError || !worthChecking(settled) ? [] : check.data ?? [];
  if (found.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="duplicate-candidates"
      title={t('customerDuplicates.possible')}
      description={
        <Space orientation="vertical" size={4} style={{ width: '100%' }}>
          <Typography.Text type="secondary">{t('customerDuplicates.possibleHelp')}</Typography.Text>
          {found.map((c) => (
            <Space key={c.id} wrap size={[8, 0]} data-testid="duplicate-candidate">
              <CandidateLink candidate={c} />
              <CandidateFacts candidate={c} />
              <ReasonTags reasons={c.reasons} similarity={c.similarity} />
            </Space>
          ))}
        </Space>
      }
    />
  );
}
