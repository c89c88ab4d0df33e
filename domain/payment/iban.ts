/**
 * IBANs for SEPA direct debit (ISO 13616): the mod-97 check digits catch nearly every typo, and
 * the registry's per-country account format catches a number from the wrong country or cut short.
 */

/**
 * BBAN formats from the SWIFT IBAN registry, in its notation: `n` digits, `a` upper-case
 * letters, `c` letters or digits, `4!n` exactly four. Limited to SEPA countries: we only collect
 * direct debits there.
 */
const BBAN_FORMATS: Record<string, string> = {
  AD: '4!n4!n12!c', AT: '5!n11!n', BE: '3!n7!n2!n', BG: '4!a4!n2!n8!c', CH: '5!n12!c', CY: '3!n5!n16!c', CZ: '4!n6!n10!n',
  DE: '8!n10!n', DK: '4!n9!n1!n', EE: '2!n2!n11!n1!n', ES: '4!n4!n1!n1!n10!n', FI: '6!n7!n1!n', FO: '4!n9!n1!n', FR: '5!n5!n11!c2!n',
  GB: '4!a6!n8!n', GI: '4!a15!c', GL: '4!n9!n1!n', GR: '3!n4!n16!c', HR: '7!n10!n', HU: '3!n4!n1!n15!n1!n', IE: '4!a6!n8!n',
  IS: '4!n2!n6!n10!n', IT: '1!a5!n5!n12!c', LI: '5!n12!c', LT: '5!n11!n', LU: '3!n13!c', LV: '4!a13!c', MC: '5!n5!n11!c2!n',
  MT: '4!a5!n18!c', NL: '4!a10!n', NO: '4!n6!n1!n', PL: '8!n16!n', PT: '4!n4!n11!n2!n', RO: '4!a16!c', SE: '3!n16!n1!n',
  SI: '5!n8!n2!n', SK: '4!n6!n10!n', SM: '1!a5!n5!n12!c',
};

const CLASSES: Record<string, string> = { n: '[0-9]', a: '[A-Z]', c: '[A-Z0-9]' };

function bbanPattern(format: string): { regex: RegExp; length: number } {
  let length = 0;
  const parts = [...format.matchAll(/(\d+)!([nac])/g)].map(([, count, kind]) => {
    length += Number(count);
    return `${CLASSES[kind]}{${count}}`;
  });
  return { regex: new RegExp(`^${parts.join('')}$`), length: length + 4 };
}

const COUNTRIES = new Map(Object.entries(BBAN_FORMATS).map(([country, format]) => [country, bbanPattern(format)]));

/** The IBAN length of each supported country (country code and check digits included). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.fromEntries([...COUNTRIES].map(([c, p]) => [c, p.length]));

export type IbanResult = { valid: true; normalized: string; country: string } | { valid: false; reason: string };

/** The electronic form: upper case, without the spaces of the printed form. */
export function normalizeIban(iban: string): string {
  return iban.replace(/\s/g, '').toUpperCase();
}

/** ISO 7064 mod 97-10 over the IBAN with its first four characters moved to the end, letters as 10–35. */
export function ibanMod97(normalized: string): number {
  const rearranged = normalized.slice(4) + normalized.slice(0, 4);
  let remainder = 0;
  // Digit by digit keeps every intermediate value small, so no BigInt is needed.
  for (const char of rearranged) {
    const value = parseInt(char, 36);
    remainder = (value >= 10 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder;
}

/** Checks an IBAN (spaces allowed, any case) and returns its electronic form and country. */
export function validateIban(iban: string): IbanResult {
  const normalized = normalizeIban(iban);
  if (normalized === '') return { valid: false, reason: 'IBAN is empty' };
  if (!/^[A-Z0-9]+$/.test(normalized)) return { valid: false, reason: 'an IBAN contains only letters, digits and spaces' };
  if (!/^[A-Z]{2}[0-9]{2}/.test(normalized)) return { valid: false, reason: 'an IBAN starts with a country code and two check digits' };
  const country = normalized.slice(0, 2);
  const pattern = COUNTRIES.get(country);
  if (!pattern) return { valid: false, reason: `IBANs from ${country} are not accepted` };
  if (normalized.length !== pattern.length) {
    return { valid: false, reason: `an IBAN from ${country} has ${pattern.length} characters, this one has ${normalized.length}` };
  }
  if (!pattern.regex.test(normalized.slice(4))) return { valid: false, reason: `the account part does not have the format of an IBAN from ${country}` };
  if (ibanMod97(normalized) !== 1) return { valid: false, reason: 'check digits do not match: the IBAN is mistyped' };
  return { valid: true, normalized, country };
}

/** Shows country, check digits and the last 4 characters only (never throws, so it is safe for any log line). */
export function maskIban(iban: string): string {
  const normalized = normalizeIban(iban);
  if (normalized.length <= 8) return '*'.repeat(normalized.length);
  return normalized.slice(0, 4) + '*'.repeat(normalized.length - 8) + normalized.slice(-4);
}
