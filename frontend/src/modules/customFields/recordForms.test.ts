import { describe, expect, it } from 'vitest';
import type { Contact, Order, Product } from '../../api/types';
import { contactPatch, contactToForm } from '../customers/ContactsPanel';
import { opportunityToForm, toCreateOpportunity, toOpportunityPatch } from '../sales/OpportunityForm';
import { orderToForm, toCreateOrder, toOrderPatch } from '../sales/OrderForm';
import { productToForm, toProductPatch } from '../sales/ProductList';
import { A } from '../sales/fixtures.test-utils';
import { toCreateTicket } from '../service/TicketForm';
import { field } from './fixtures.test-utils';

const level = field('level', 'select', {
  options: [
    { value: 'gold', label_zh: '金牌', label_en: 'Gold', retired: false },
    { value: 'silver', label_zh: '银牌', label_en: 'Silver', retired: false },
  ],
  default_value: 'silver' as never,
});
const budget = field('budget', 'money');

describe('record forms with custom fields', () => {
  it('opportunities: the create body carries the values, the patch only the changed keys', () => {
    const form = { ...opportunityToForm(A, [level, budget]), name: 'Deal' };
    expect(form.custom_fields).toEqual({});
    const body = toCreateOpportunity({ ...form, custom_fields: { level: 'gold', budget: { amount_minor: 1234567, currency: 'CNY' } } }, [level, budget]);
    expect(body.custom_fields).toEqual({ level: 'gold', budget: 1234567 });
    const stored = { ...A, custom_fields: { level: 'gold', budget: 100 } as never };
    const edited = opportunityToForm(stored, [level, budget]);
    expect(toOpportunityPatch(stored, edited, [level, budget])).toEqual({});
    expect(toOpportunityPatch(stored, { ...edited, custom_fields: { level: undefined, budget: { amount_minor: 200, currency: 'CNY' } } }, [level, budget])).toEqual({
      custom_fields: { level: null, budget: 200 },
    });
  });

  it('orders, tickets, contacts and products send their custom fields the same way', () => {
    const order = { customer_id: 'c1', order_date: '2026-03-01', total: { amount_minor: 0, currency: 'CNY' }, lines: [], notes: null, custom_fields: { level: 'gold' } } as unknown as Order;
    const orderForm = orderToForm(order, [level]);
    expect(toOrderPatch(order, { ...orderForm, custom_fields: { level: 'silver' } }, [level])).toEqual({ custom_fields: { level: 'silver' } });
    expect(toCreateOrder({ ...orderForm, custom_fields: {} }, [level]).custom_fields).toEqual({ level: null });

    const ticket = toCreateTicket({ customer_id: 'c1', subject: 'x', kind: 'incident', priority: 'normal', channel: 'phone', custom_fields: { level: 'gold' } }, [level]);
    expect(ticket.custom_fields).toEqual({ level: 'gold' });

    const contact = { id: 'k1', name: '张伟', masked: [], custom_fields: { level: 'gold' } } as unknown as Contact;
    expect(contactPatch(contact, { ...contactToForm(contact, [level]), custom_fields: { level: 'silver' } }, [level])).toMatchObject({ custom_fields: { level: 'silver' } });

    const product = { sku: 'A', name: 'B', category: null, description: null, unit_price: { amount_minor: 1, currency: 'CNY' }, active: true, custom_fields: {} } as unknown as Product;
    expect(toProductPatch(product, { ...productToForm(product, [level]), custom_fields: { level: 'gold' } }, [level])).toEqual({ custom_fields: { level: 'gold' } });
  });
});
