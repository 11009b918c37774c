/**
 * Phone numbers as people write them. The server stores E.164 (`+8613812345678`); a Chinese
 * number reads `138 1234 5678` (mobile), `021-6200 0999` (landline with its area code) or
 * `400-820-8820` (service number), and another country's reads `+<country code>` with its
 * national number in groups (`+1 650-253-0000`, `+852 2123 4567`).
 */

const E164 = /^\+[1-9]\d{5,14}$/;

// Country calling codes are prefix-free: the one- and two-digit codes are listed, every other
// code has three digits (ITU-T E.164 assignments).
const ONE_DIGIT = new Set(['1', '7']);
const TWO_DIGITS = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49',
  '51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86',
  '90', '91', '92', '93', '94', '95', '98',
]);

/** The country calling code and the national number of an E.164 number's digits. */
function splitCountry(digits: string): [country: string, national: string] {
  const length = ONE_DIGIT.has(digits.slice(0, 1)) ? 1 : TWO_DIGITS.has(digits.slice(0, 2)) ? 2 : 3;
  return [digits.slice(0, length), digits.slice(length)];
}

/** Splits `digits` into groups of the given sizes; what is left over joins the last group. */
function groups(digits: string, sizes: readonly number[]): string[] {
  const out: string[] = [];
  let at = 0;
  sizes.forEach((size, i) => {
    const end = i === sizes.length - 1 ? digits.length : at + size;
    if (at < digits.length) out.push(digits.slice(at, end));
    at = end;
  });
  return out;
}

// Beijing (010) and the 02x cities have two-digit area codes, every other city three.
const isTwoDigitArea = (national: string) => /^(10|2\d)/.test(national);

/** A Chinese national number (without the 0 trunk prefix) as it is written in China. */
function chinese(national: string): string {
  if (/^1\d{10}$/.test(national)) return groups(national, [3, 4, 4]).join(' ');
  if (/^[48]00\d{7}$/.test(national)) return groups(national, [3, 3, 4]).join('-');
  const areaLength = isTwoDigitArea(national) ? 2 : 3;
  const local = national.slice(areaLength);
  if (local.length === 7 || local.length === 8) {
    return `0${national.slice(0, areaLength)}-${groups(local, [local.length - 4, 4]).join(' ')}`;
  }
  return `+86 ${national}`;
}

// How a national number of each length is grouped when its country's own style is not known.
const GROUPS_BY_LENGTH: Record<number, number[]> = {
  5: [2, 3], 6: [3, 3], 7: [3, 4], 8: [4, 4], 9: [3, 3, 3], 10: [3, 3, 4], 11: [3, 4, 4], 12: [4, 4, 4],
};

function international(country: string, national: string): string {
  if (country === '1' && national.length === 10) return `+1 ${groups(national, [3, 3, 4]).join('-')}`;
  const sizes = GROUPS_BY_LENGTH[national.length] ?? [4, 4, 4, 4];
  return `+${country} ${groups(national, sizes).join(' ')}`;
}

/**
 * A stored phone number as people write it; text that is not an E.164 number (a masked
 * `+86 138****5678`, an old free-text entry) is shown as it is.
 */
export function formatPhone(value: string): string {
  const trimmed = value.trim();
  if (!E164.test(trimmed)) return trimmed;
  const [country, national] = splitCountry(trimmed.slice(1));
  return country === '86' ? chinese(national) : international(country, national);
}

/** The `tel:` link of a stored number, or undefined when it is not a whole number (masked or free text). */
export function telHref(value: string): string | undefined {
  const trimmed = value.trim();
  return E164.test(trimmed) ? `tel:${trimmed}` : undefined;
}
