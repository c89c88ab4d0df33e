/**
 * Phone numbers to E.164 (`+` and up to 15 digits), the one form SMS gateways, number
 * portability and the HLR all agree on. This is a format check, not a numbering-plan lookup.
 */

export type PhoneResult = { valid: true; e164: string } | { valid: false; reason: string };

// Italy kept the leading 0 of its area codes inside the international number (+39 06 …).
const KEEPS_LEADING_ZERO = new Set(['39']);

/** Normalises '+34 600 12 34 56', '0034600123456' or a national number with a default code to '+34600123456'. */
export function normalizeE164(number: string, defaultCountryCallingCode?: string): PhoneResult {
  // Separators, the '(0)' people write after the country code and the national trunk prefix 0
  // are dropped. A malformed default code is configuration, not user input: it throws.
  const defaultCode = defaultCountryCallingCode?.replace(/^\+/, '');
  if (defaultCode !== undefined && !/^[1-9]\d{0,2}$/.test(defaultCode)) {
    throw new RangeError(`not a country calling code: ${defaultCountryCallingCode}`);
  }
  const trimmed = number.trim();
  if (trimmed === '') return { valid: false, reason: 'phone number is empty' };
  if (!/^[\d\s\-./()+]+$/.test(trimmed)) return { valid: false, reason: 'phone number may contain only digits, spaces and + - . / ( )' };
  let compact = trimmed.replace(/\(0\)/g, '').replace(/[\s\-./()]/g, '');
  if (!/\d/.test(compact)) return { valid: false, reason: 'phone number has no digits' };
  // Checked after the separators go, so '(+34) 600…' passes.
  if (!/^\+?\d+$/.test(compact)) return { valid: false, reason: 'a + may only start the number' };
  let digits: string;
  if (compact.startsWith('+')) {
    digits = compact.slice(1);
  } else if (compact.startsWith('00')) {
    digits = compact.slice(2);
  } else if (defaultCode !== undefined) {
    if (compact.startsWith('0') && !KEEPS_LEADING_ZERO.has(defaultCode)) compact = compact.slice(1);
    digits = defaultCode + compact;
  } else {
    return { valid: false, reason: 'phone number needs the country code (+ or 00)' };
  }
  if (digits.startsWith('0')) return { valid: false, reason: 'country code cannot start with 0' };
  if (digits.length < 8 || digits.length > 15) {
    return { valid: false, reason: 'phone number must have 8 to 15 digits, country code included' };
  }
  return { valid: true, e164: `+${digits}` };
}
