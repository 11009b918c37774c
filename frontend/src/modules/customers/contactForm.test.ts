import { describe, expect, it } from 'vitest';
import type { Contact } from '../../api/types';
import { contactPatch, contactReapplied, contactToForm } from './ContactsPanel';

const stored: Contact = {
  id: 'k1', customer_id: 'c1', name: '张伟', title: '采购经理', department: null, phone: '+862162000999', mobile: '+8613900139000',
  email: null, wechat: null, is_primary: true, birthday: '1988-05-04', notes: null, custom_fields: {}, created_at: '2026-01-01T00:00:00Z',
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

  it('sends an identity document and a bank account as typed, the masked numbers never', () => {
    const person: Contact = { ...stored, id_type: 'id_card', id_number: '110***********002X', bank_name: '招商银行', bank_account: '***************0123', masked: ['id_number', 'bank_account'] };
    const form = contactToForm(person);
    expect(contactPatch(person, form)).toEqual({});
    expect(contactPatch(person, { ...form, id_number: '', bank_account: '6222', id_type: 'passport', bank_name: ' 工商银行 ' })).toEqual({ id_type: 'passport', bank_name: '工商银行' });
    const shown: Contact = { ...person, id_number: '11010519491231002X', bank_account: '6222021234567890123', masked: [] };
    expect(contactPatch(shown, { ...contactToForm(shown), id_type: null, id_number: ' ' })).toEqual({ id_type: null, id_number: null });
  });
});
