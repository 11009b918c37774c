import { formatPhone, telHref } from './phone';

/**
 * A stored phone number as people write it (`138 1234 5678`), a `tel:` link that dials it from a
 * phone or a softphone; nothing when there is no number.
 */
export function PhoneLink({ value, ...rest }: { value: string | null | undefined; 'data-testid'?: string }) {
  if (!value) return null;
  const href = telHref(value);
  const text = formatPhone(value);
  return href ? (
    <a href={href} data-testid={rest['data-testid']}>{text}</a>
  ) : (
    <span data-testid={rest['data-testid']}>{text}</span>
  );
}
