/** Postal codes of the countries we sell in; other countries have no rule here (see hasPostalCodeRule). */

export type PostalCountry = 'ES' | 'PT' | 'NO';

// ES: 5 digits whose first two are the province, 01 (Álava) to 52 (Melilla).
// PT: CP4-CP3, the first four never start with 0.
// NO: 4 digits, and codes do start with 0 (Oslo is 0150).
const RULES: Record<PostalCountry, RegExp> = {
  ES: /^(0[1-9]|[1-4]\d|5[0-2])\d{3}$/,
  PT: /^[1-9]\d{3}-\d{3}$/,
  NO: /^\d{4}$/,
};

/** True when we have a rule for the country (ISO 3166-1 alpha-2), so callers can skip the others. */
export function hasPostalCodeRule(country: string): country is PostalCountry {
  return Object.prototype.hasOwnProperty.call(RULES, country);
}

/** Checks a postal code against its country's format; surrounding spaces are ignored. */
export function isValidPostalCode(code: string, country: PostalCountry): boolean {
  return RULES[country].test(code.trim());
}
