/**
 * National identity numbers with the check-digit algorithms their issuers publish. A check only
 * proves a number is well formed (catches typos and invented numbers), not that it was issued:
 * the registration flow still sees the document itself.
 */
import { formatIsoDate, isCalendarDate } from './calendar';

export type DocumentType = 'nationalIdCard' | 'residencePermit' | 'passport';

export interface IdentityDocument {
  type: DocumentType;
  number: string;
  /** ISO 3166-1 alpha-2, e.g. 'ES'. */
  issuingCountry: string;
}

/** Which algorithm accepted the number. */
export type IdScheme = 'ES-DNI' | 'ES-NIE' | 'NO-FNR' | 'NO-DNR' | 'PT-NIF';

export type SchemeResult = { valid: true; normalized: string; birthDate?: string } | { valid: false; reason: string };

/**
 * `unchecked` is not a failure: the number may be fine, we just hold no algorithm for it, so a
 * person has to look at the document.
 */
export type NationalIdResult =
  | { valid: true; normalized: string; scheme: IdScheme; birthDate?: string }
  | { valid: false; reason: string }
  | { valid: 'unchecked'; normalized: string; reason: string };

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Upper case without the separators people type or copy from a card (spaces, dashes, dots). */
export function normalizeDocumentNumber(value: string): string {
  return value.toUpperCase().replace(/[\s.\-/]/g, '');
}

/** The Spanish check letter of a DNI number (or a NIE with its X/Y/Z already replaced by 0/1/2). */
export function dniCheckLetter(digits: string): string {
  return DNI_LETTERS[Number(digits) % 23];
}

/** Spanish DNI: 8 digits and the letter of the number mod 23. */
export function validateSpanishDni(value: string): SchemeResult {
  const id = normalizeDocumentNumber(value);
  if (/^\d{8}$/.test(id)) return { valid: false, reason: `check letter is missing: should be ${dniCheckLetter(id)}` };
  if (/^[XYZ]\d{7}[A-Z]$/.test(id)) return { valid: false, reason: 'this is a NIE (starts with X, Y or Z): use document type residencePermit' };
  if (!/^\d{8}[A-Z]$/.test(id)) return { valid: false, reason: 'a DNI is 8 digits followed by a check letter' };
  const expected = dniCheckLetter(id.slice(0, 8));
  if (id[8] !== expected) return { valid: false, reason: `check letter should be ${expected}` };
  return { valid: true, normalized: id };
}

/** Spanish NIE: X/Y/Z (standing for 0/1/2), 7 digits and the DNI letter of the resulting 8 digits. */
export function validateSpanishNie(value: string): SchemeResult {
  const id = normalizeDocumentNumber(value);
  if (/^\d{8}[A-Z]$/.test(id)) return { valid: false, reason: 'this is a DNI (starts with a digit): use document type nationalIdCard' };
  if (/^[XYZ]\d{7}$/.test(id)) return { valid: false, reason: `check letter is missing: should be ${nieLetter(id)}` };
  if (!/^[XYZ]\d{7}[A-Z]$/.test(id)) return { valid: false, reason: 'a NIE is X, Y or Z, 7 digits and a check letter' };
  const expected = nieLetter(id);
  if (id[8] !== expected) return { valid: false, reason: `check letter should be ${expected}` };
  return { valid: true, normalized: id };
}

function nieLetter(id: string): string {
  return dniCheckLetter(String('XYZ'.indexOf(id[0])) + id.slice(1, 8));
}

const FNR_WEIGHTS_1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const FNR_WEIGHTS_2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/** The mod-11 check digit of a fødselsnummer prefix; 10 means no valid number has that prefix. */
export function fodselsnummerCheckDigit(digits: string, weights: readonly number[]): number {
  const sum = weights.reduce((acc, w, i) => acc + w * Number(digits[i]), 0);
  return (11 - (sum % 11)) % 11;
}

/** The birth year from the two-digit year and the individual number (digits 7–9); undefined if never issued. */
export function fodselsnummerBirthYear(yy: number, individual: number): number | undefined {
  // Skatteetaten's allocation: 000–499 → 1900s; 500–749 → 1854–1899; 500–999 → 2000–2039;
  // 900–999 → 1940–1999. The rest (e.g. 750–899 with 40–99) was never handed out.
  if (individual <= 499) return 1900 + yy;
  if (individual <= 749 && yy >= 54) return 1800 + yy;
  if (yy <= 39) return 2000 + yy;
  if (individual >= 900) return 1900 + yy;
  return undefined;
}

/** Norwegian fødselsnummer or D-nummer (DDMMYY, individual number, two mod-11 check digits), with its birth date. */
export function validateNorwegianId(value: string): SchemeResult & { dNumber?: boolean } {
  // A D-nummer, given to foreign residents, is a fødselsnummer with 4 added to the first digit
  // of the day; residence permit holders may have either.
  const id = normalizeDocumentNumber(value);
  if (!/^\d{11}$/.test(id)) return { valid: false, reason: 'a fødselsnummer is 11 digits' };
  const k1 = fodselsnummerCheckDigit(id, FNR_WEIGHTS_1);
  if (k1 === 10) return { valid: false, reason: 'no valid number starts with these 9 digits (first check digit would be 10)' };
  if (Number(id[9]) !== k1) return { valid: false, reason: `first check digit should be ${k1}` };
  const k2 = fodselsnummerCheckDigit(id, FNR_WEIGHTS_2);
  if (k2 === 10) return { valid: false, reason: 'no valid number starts with these 10 digits (second check digit would be 10)' };
  if (Number(id[10]) !== k2) return { valid: false, reason: `second check digit should be ${k2}` };

  const dNumber = Number(id[0]) >= 4;
  const day = Number(id.slice(0, 2)) - (dNumber ? 40 : 0);
  const month = Number(id.slice(2, 4));
  const yy = Number(id.slice(4, 6));
  const individual = Number(id.slice(6, 9));
  const year = fodselsnummerBirthYear(yy, individual);
  if (year === undefined) return { valid: false, reason: `individual number ${id.slice(6, 9)} was never issued for birth year ${id.slice(4, 6)}` };
  if (!isCalendarDate(year, month, day)) return { valid: false, reason: `encoded birth date ${id.slice(0, 6)} is not a calendar date` };
  return { valid: true, normalized: id, birthDate: formatIsoDate({ year, month, day }), dNumber };
}

/** Portuguese personal NIF: 9 digits, the last a mod-11 check digit over weights 9..2 (remainder 0 or 1 → 0). */
export function validatePortugueseNif(value: string): SchemeResult {
  // Only personal NIFs pass (first digit 1, 2 or 3, or 45 for non-residents): the others belong
  // to companies, estates and the like, which cannot register as a person.
  const id = normalizeDocumentNumber(value);
  if (!/^\d{9}$/.test(id)) return { valid: false, reason: 'a NIF is 9 digits' };
  const remainder = [...id.slice(0, 8)].reduce((acc, d, i) => acc + Number(d) * (9 - i), 0) % 11;
  const expected = remainder < 2 ? 0 : 11 - remainder;
  if (Number(id[8]) !== expected) return { valid: false, reason: `check digit should be ${expected}` };
  if (!/^([123]|45)/.test(id)) return { valid: false, reason: `a NIF starting with ${id.slice(0, 2)} does not belong to a person` };
  return { valid: true, normalized: id };
}

type Checker = { scheme: (result: SchemeResult & { dNumber?: boolean }) => IdScheme; check: (value: string) => SchemeResult };

// Which algorithm applies to which document; anything missing here goes to a person.
const CHECKERS: Record<string, Partial<Record<DocumentType, Checker>>> = {
  ES: {
    nationalIdCard: { scheme: () => 'ES-DNI', check: validateSpanishDni },
    residencePermit: { scheme: () => 'ES-NIE', check: validateSpanishNie },
  },
  NO: {
    // Both cards carry the personal number; residents without a fødselsnummer have a D-nummer.
    nationalIdCard: { scheme: (r) => (r.dNumber ? 'NO-DNR' : 'NO-FNR'), check: validateNorwegianId },
    residencePermit: { scheme: (r) => (r.dNumber ? 'NO-DNR' : 'NO-FNR'), check: validateNorwegianId },
  },
  PT: {
    // The Cartão de Cidadão carries the NIF; residence permits have no number we can check.
    nationalIdCard: { scheme: () => 'PT-NIF', check: validatePortugueseNif },
  },
};

const DOCUMENT_TYPES: readonly string[] = ['nationalIdCard', 'residencePermit', 'passport'];

/** Checks a document number with its country's algorithm; `unchecked` (not invalid) where we have none. */
export function validateNationalId(document: IdentityDocument): NationalIdResult {
  // Passports and other countries' documents may well be fine: `unchecked` sends them to a
  // person instead of refusing the customer.
  const { type } = document;
  const country = String(document.issuingCountry ?? '').trim().toUpperCase();
  const normalized = normalizeDocumentNumber(String(document.number ?? ''));
  // Callers pass parsed JSON: check the shape here too, not only in the type system.
  if (!DOCUMENT_TYPES.includes(type)) return { valid: false, reason: 'unknown document type' };
  if (!/^[A-Z]{2}$/.test(country)) return { valid: false, reason: 'issuing country must be an ISO 3166-1 alpha-2 code' };
  if (normalized === '') return { valid: false, reason: 'document number is empty' };
  if (!/^[A-Z0-9]+$/.test(normalized)) return { valid: false, reason: 'document number may contain only letters and digits' };
  if (normalized.length > 20) return { valid: false, reason: 'document number is longer than 20 characters' };

  const checker = CHECKERS[country]?.[type];
  if (!checker) {
    // A passport number has no check digit of its own (the MRZ has, but we are not given it).
    const reason = type === 'passport' ? 'passport numbers cannot be checked automatically' : `no automatic check for ${type} issued by ${country}`;
    return { valid: 'unchecked', normalized, reason };
  }
  const result = checker.check(normalized);
  if (!result.valid) return result;
  const ok: NationalIdResult = { valid: true, normalized: result.normalized, scheme: checker.scheme(result) };
  if (result.birthDate !== undefined) ok.birthDate = result.birthDate;
  return ok;
}
