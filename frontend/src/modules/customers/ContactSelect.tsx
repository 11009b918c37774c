import { Select, type SelectProps } from 'antd';
import type { Contact } from '../../api/types';
import { useContacts } from './useCustomers';

/** A contact's name with their job title, as a contact picker lists them: 张伟 · 采购经理. */
function contactOption(c: Pick<Contact, 'id' | 'name' | 'title'>) {
  return { value: c.id, label: c.title ? `${c.name} · ${c.title}` : c.name };
}

/**
 * One contact of the customer chosen in the same form, as a form item's control (the item gives it
 * its value, onChange and id). Until a customer is chosen it is disabled and says so in `placeholder`;
 * the form clears it when the customer changes, since another customer's contacts do not apply.
 */
export function ContactSelect({ customerId, placeholder, ...select }: Omit<SelectProps<string | null>, 'options' | 'disabled' | 'loading' | 'placeholder'> & {
  customerId: string | null | undefined;
  /** What it says while no customer is chosen ("pick the customer first"). */
  placeholder: string;
  'data-testid'?: string;
}) {
  const contacts = useContacts(customerId ?? '', Boolean(customerId));
  return (
    <Select
      allowClear
      {...select}
      disabled={!customerId}
      loading={contacts.isLoading}
      placeholder={customerId ? undefined : placeholder}
      options={(contacts.data ?? []).map(contactOption)}
    />
  );
}
