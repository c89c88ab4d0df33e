import {
  dniCheckLetter,
  fodselsnummerBirthYear,
  validateNationalId,
  validateNorwegianId,
  validatePortugueseNif,
  validateSpanishDni,
  validateSpanishNie,
} from './national-id';

// Vectors were computed with an independent implementation of each algorithm; 12345678Z,
// X1234567L, 15108695088 (python-stdnum's example) and 123456789 are the published favourites.

describe('Spanish DNI', () => {
  it.each([
    ['12345678', 'Z'],
    ['00000000', 'T'],
    ['99999999', 'R'],
    ['87654321', 'X'],
  ])('%p has letter %p', (digits, letter) => expect(dniCheckLetter(digits)).toBe(letter));

  it.each([
    ['12345678Z', { valid: true, normalized: '12345678Z' }],
    ['12345678-z', { valid: true, normalized: '12345678Z' }],
    ['12.345.678 Z', { valid: true, normalized: '12345678Z' }],
    ['00000000T', { valid: true, normalized: '00000000T' }],
    ['87654321X', { valid: true, normalized: '87654321X' }],
    ['12345678A', { valid: false, reason: 'check letter should be Z' }],
    ['12345679Z', { valid: false, reason: 'check letter should be S' }],
    ['12345678', { valid: false, reason: 'check letter is missing: should be Z' }],
    ['1234567Z', { valid: false, reason: 'a DNI is 8 digits followed by a check letter' }],
    ['X1234567L', { valid: false, reason: 'this is a NIE (starts with X, Y or Z): use document type residencePermit' }],
  ])('%p → %p', (value, expected) => expect(validateSpanishDni(value)).toEqual(expected));
});

describe('Spanish NIE', () => {
  it.each([
    ['X1234567L', { valid: true, normalized: 'X1234567L' }],
    ['y-1234567-x', { valid: true, normalized: 'Y1234567X' }],
    ['Z1234567R', { valid: true, normalized: 'Z1234567R' }],
    ['X0000000T', { valid: true, normalized: 'X0000000T' }],
    ['X1234567Z', { valid: false, reason: 'check letter should be L' }],
    ['Y1234567L', { valid: false, reason: 'check letter should be X' }],
    ['X1234567', { valid: false, reason: 'check letter is missing: should be L' }],
    ['W1234567L', { valid: false, reason: 'a NIE is X, Y or Z, 7 digits and a check letter' }],
    ['X12345678L', { valid: false, reason: 'a NIE is X, Y or Z, 7 digits and a check letter' }],
    ['12345678Z', { valid: false, reason: 'this is a DNI (starts with a digit): use document type nationalIdCard' }],
  ])('%p → %p', (value, expected) => expect(validateSpanishNie(value)).toEqual(expected));
});

describe('Norwegian fødselsnummer and D-nummer', () => {
  it.each([
    ['01010750160', '2007-01-01', false],
    ['151086 95088', '1986-10-15', false],
    ['17058512311', '1985-05-17', false],
    ['29020051386', '2000-02-29', false],
    ['29020850025', '2008-02-29', false],
    ['31019949942', '1999-01-31', false],
    ['01019960028', '1899-01-01', false],
    ['15074591296', '1945-07-15', false],
    ['01017112364', '1971-01-01', false],
    ['41018512430', '1985-01-01', true],
  ])('%p is valid, born %p (D-nummer: %p)', (value, birthDate, dNumber) =>
    expect(validateNorwegianId(value)).toEqual({ valid: true, normalized: value.replace(' ', ''), birthDate, dNumber }));

  it.each([
    ['15108695077', 'first check digit should be 8'],
    ['01010750170', 'first check digit should be 6'],
    ['01010750161', 'second check digit should be 0'],
    ['17058510900', 'no valid number starts with these 9 digits (first check digit would be 10)'],
    ['17058510220', 'no valid number starts with these 10 digits (second check digit would be 10)'],
    ['29020112482', 'encoded birth date 290201 is not a calendar date'],
    ['15054580026', 'individual number 800 was never issued for birth year 45'],
    ['01015060057', 'individual number 600 was never issued for birth year 50'],
    ['0101075016', 'a fødselsnummer is 11 digits'],
    ['0101075016A', 'a fødselsnummer is 11 digits'],
  ])('%p → %p', (value, reason) => expect(validateNorwegianId(value)).toEqual({ valid: false, reason }));

  it.each([
    [0, 0, 1900],
    [99, 499, 1999],
    [54, 500, 1854],
    [99, 749, 1899],
    [0, 500, 2000],
    [39, 999, 2039],
    [40, 900, 1940],
    [99, 999, 1999],
    [53, 600, undefined],
    [40, 899, undefined],
    [99, 750, undefined],
  ])('year %p with individual number %p → %p', (yy, individual, year) => expect(fodselsnummerBirthYear(yy, individual)).toBe(year));
});

describe('Portuguese NIF', () => {
  it.each([
    ['123456789', { valid: true, normalized: '123456789' }],
    ['123 456 789', { valid: true, normalized: '123456789' }],
    ['200000080', { valid: true, normalized: '200000080' }], // remainder 1 → check digit 0
    ['250000008', { valid: true, normalized: '250000008' }],
    ['300000006', { valid: true, normalized: '300000006' }],
    ['451234561', { valid: true, normalized: '451234561' }],
    ['123456780', { valid: false, reason: 'check digit should be 9' }],
    ['200000081', { valid: false, reason: 'check digit should be 0' }],
    ['501964843', { valid: false, reason: 'a NIF starting with 50 does not belong to a person' }],
    ['999999990', { valid: false, reason: 'a NIF starting with 99 does not belong to a person' }],
    ['12345678', { valid: false, reason: 'a NIF is 9 digits' }],
  ])('%p → %p', (value, expected) => expect(validatePortugueseNif(value)).toEqual(expected));
});

describe('validateNationalId', () => {
  it.each([
    [{ type: 'nationalIdCard', number: '12345678Z', issuingCountry: 'ES' }, { valid: true, normalized: '12345678Z', scheme: 'ES-DNI' }],
    [{ type: 'residencePermit', number: 'x1234567l', issuingCountry: 'es' }, { valid: true, normalized: 'X1234567L', scheme: 'ES-NIE' }],
    [{ type: 'nationalIdCard', number: '010107 50160', issuingCountry: 'NO' }, { valid: true, normalized: '01010750160', scheme: 'NO-FNR', birthDate: '2007-01-01' }],
    [{ type: 'residencePermit', number: '41018512430', issuingCountry: 'NO' }, { valid: true, normalized: '41018512430', scheme: 'NO-DNR', birthDate: '1985-01-01' }],
    [{ type: 'nationalIdCard', number: '123456789', issuingCountry: 'PT' }, { valid: true, normalized: '123456789', scheme: 'PT-NIF' }],
  ] as const)('%p is valid', (document, expected) => expect(validateNationalId(document)).toEqual(expected));

  it.each([
    [{ type: 'nationalIdCard', number: '12345678A', issuingCountry: 'ES' }, 'check letter should be Z'],
    [{ type: 'nationalIdCard', number: 'X1234567L', issuingCountry: 'ES' }, 'this is a NIE (starts with X, Y or Z): use document type residencePermit'],
    [{ type: 'nationalIdCard', number: '01010750161', issuingCountry: 'NO' }, 'second check digit should be 0'],
    [{ type: 'nationalIdCard', number: '123456780', issuingCountry: 'PT' }, 'check digit should be 9'],
    [{ type: 'nationalIdCard', number: '12345678Z', issuingCountry: 'ESP' }, 'issuing country must be an ISO 3166-1 alpha-2 code'],
    [{ type: 'passport', number: ' ', issuingCountry: 'ES' }, 'document number is empty'],
    [{ type: 'passport', number: 'AB#123', issuingCountry: 'ES' }, 'document number may contain only letters and digits'],
    [{ type: 'passport', number: 'A'.repeat(21), issuingCountry: 'FR' }, 'document number is longer than 20 characters'],
    [{ type: 'drivingLicence', number: '12345678Z', issuingCountry: 'ES' }, 'unknown document type'],
  ])('%p → invalid: %p', (document, reason) =>
    expect(validateNationalId(document as Parameters<typeof validateNationalId>[0])).toEqual({ valid: false, reason }));

  it.each([
    [{ type: 'passport', number: 'paa 123456', issuingCountry: 'ES' }, 'PAA123456', 'passport numbers cannot be checked automatically'],
    [{ type: 'passport', number: '12345678Z', issuingCountry: 'NO' }, '12345678Z', 'passport numbers cannot be checked automatically'],
    [{ type: 'nationalIdCard', number: 'X4RTBPFW4', issuingCountry: 'FR' }, 'X4RTBPFW4', 'no automatic check for nationalIdCard issued by FR'],
    [{ type: 'residencePermit', number: 'AB1234567', issuingCountry: 'PT' }, 'AB1234567', 'no automatic check for residencePermit issued by PT'],
  ] as const)('%p → unchecked as %p: %p', (document, normalized, reason) =>
    expect(validateNationalId(document)).toEqual({ valid: 'unchecked', normalized, reason }));
});
