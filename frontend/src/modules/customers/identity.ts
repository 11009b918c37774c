import type { FormRule } from 'antd';
import type { TFunction } from 'i18next';

const blank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/**
 * The rules of a person's identity document inputs (`id_type`, `id_number`) in a customer or
 * contact form: a type needs its number and a number its type, as the server has it. Only that:
 * whether the number is a valid one (an 居民身份证's check digit) the server judges, and its
 * answer shows beside the input. A masked number counts as a number (it is one, unseen).
 */
export function identityRules(t: TFunction): { id_type: FormRule[]; id_number: FormRule[] } {
  return {
    id_type: [
      ({ getFieldValue }) => ({
        validator: async (_rule, value: unknown) => {
          if (blank(value) && !blank(getFieldValue('id_number'))) throw new Error(t('validation.idTypeNeeded'));
        },
      }),
    ],
    id_number: [
      ({ getFieldValue }) => ({
        validator: async (_rule, value: unknown) => {
          if (blank(value) && !blank(getFieldValue('id_type'))) throw new Error(t('validation.idNumberNeeded'));
        },
      }),
    ],
  };
}
