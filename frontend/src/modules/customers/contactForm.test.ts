import { describe, expect, it } from 'vitest';
import type { Contact } from '../../api/types';
import { contactPatch, contactToForm } from './ContactsPanel';

const stored: Contact = {
  id: 'k1', customer_id: 'c1', name: '张伟', title: '采购经理', department: null, phone: '+862162000999', mobile: '+8613900139000',
  email: null, wechat: null, is_primary: true, birthday: '1988-05-04', notes: null, created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z', version: 3, external_ids: {}, masked: [],
};

describe('the contact form', () => {
  it('shows the stored phones as people write them', () => {
    const form = contactToForm(stored);
    expect([form.mobile, form.phone]).toEqual(['139 0013 9000', '021-6200 0999']);
    expect(form.birthday?.format('YYYY-MM-DD')).toBe('1988-05-04');
  });

  it('patches only what changed: an untouched phone stays out, a retyped one goes as typed', () => {
    expect(contactPatch(stored, contactToForm(stored))).toEqual({});
    expect(contactPatch(stored, { ...contactToForm(stored), mobile: '137 0013 7000', title: '' })).toEqual({ mobile: '137 0013 7000', title: null });
  });
});
