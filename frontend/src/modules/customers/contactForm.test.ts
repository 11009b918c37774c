import { describe, expect, it } from 'vitest';
import type { Contact } from '../../api/types';
import { contactPatch, contactReapplied, contactToForm } from './ContactsPanel';

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

  it('never patches a field the stored contact has masked; a reveal fills the form in clear and keeps what was typed', () => {
    const masked: Contact = { ...stored, mobile: '139****9000', phone: '+86****0999', wechat: 'wx***', birthday: null, masked: ['phone', 'mobile', 'wechat', 'birthday'] };
    const form = contactToForm(masked);
    // a masked phone is shown as sent, not reformatted
    expect(form.mobile).toBe('139****9000');
    expect(contactPatch(masked, { ...form, mobile: '139****9001', wechat: null, title: '总监' })).toEqual({ title: '总监' });

    const clear: Contact = { ...stored, wechat: 'wxid_zhang' };
    const revealed = contactReapplied(masked, clear, { ...form, title: '总监' });
    expect([revealed.mobile, revealed.wechat, revealed.title]).toEqual(['139 0013 9000', 'wxid_zhang', '总监']);
    expect(revealed.birthday?.format('YYYY-MM-DD')).toBe('1988-05-04');
    expect(contactPatch(clear, revealed)).toEqual({ title: '总监' });
  });
});

