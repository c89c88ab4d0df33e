import { verifyIdentity, type IdentityInput } from './verify';

const spanish: IdentityInput = {
  givenName: 'Ana',
  familyName: 'García López',
  birthDate: '1990-05-17',
  document: { type: 'nationalIdCard', number: '12345678Z', issuingCountry: 'ES' },
};
const norwegian: IdentityInput = {
  givenName: 'Kari',
  familyName: 'Nordmann',
  birthDate: '1986-10-15',
  document: { type: 'nationalIdCard', number: '15108695088', issuingCountry: 'NO' },
};
const leapling: IdentityInput = {
  givenName: 'Ola',
  familyName: 'Hansen',
  birthDate: '2008-02-29',
  document: { type: 'nationalIdCard', number: '29020850025', issuingCountry: 'NO' },
};
const passport = { type: 'passport', number: 'PAA123456', issuingCountry: 'ES' } as const;
const today = '2026-03-01';

describe('verifyIdentity', () => {
  it.each([
    ['a Spanish DNI holder', spanish],
    ['a Spanish NIE holder', { ...spanish, document: { type: 'residencePermit', number: 'X1234567L', issuingCountry: 'ES' } }],
    ['a Norwegian whose fødselsnummer encodes the declared birth date', norwegian],
    ['a Portuguese NIF holder', { ...spanish, givenName: 'João', familyName: 'Conceição', document: { type: 'nationalIdCard', number: '123456789', issuingCountry: 'PT' } }],
    ['someone turning 18 today (born 29 February, today 1 March)', leapling],
    ['someone exactly 110', { ...spanish, birthDate: '1916-03-01' }],
    ['a name in one non-Latin script', { ...spanish, givenName: 'Иван', familyName: 'Петров' }],
    ['a Japanese name mixing kanji and kana', { ...spanish, givenName: 'さくら', familyName: '山田' }],
  ] as [string, IdentityInput][])('verifies %s', (_label, input) => expect(verifyIdentity(input, { today })).toEqual({ outcome: 'verified' }));

  it.each([
    ['a wrong check letter', { ...spanish, document: { ...spanish.document, number: '12345678A' } }, ['document: check letter should be Z']],
    ['a wrong Norwegian check digit', { ...norwegian, document: { ...norwegian.document, number: '15108695077' } }, ['document: first check digit should be 8']],
    ['a declared birth date differing from the encoded one', { ...norwegian, birthDate: '1986-10-16' }, ['birth date does not match the one encoded in the document']],
    ['a minor', { ...spanish, birthDate: '2008-03-02' }, ['must be at least 18 years old']],
    ['an impossible birth date', { ...spanish, birthDate: '2001-02-30' }, ['birth date is not a valid calendar date (YYYY-MM-DD)']],
    ['a birth date in the future', { ...spanish, birthDate: '2026-03-02' }, ['birth date is in the future']],
    ['a name with digits', { ...spanish, givenName: 'Ana2' }, ['given name may contain only letters, spaces, hyphens, apostrophes and dots']],
    ['an empty family name', { ...spanish, familyName: ' ' }, ['family name is empty']],
    ['a 61-character name', { ...spanish, familyName: 'x'.repeat(61) }, ['family name is longer than 60 characters']],
  ] as [string, IdentityInput, string[]][])('rejects %s', (_label, input, reasons) =>
    expect(verifyIdentity(input, { today })).toEqual({ outcome: 'rejected', reasons }));

  it('rejects a born-on-29-February 17-year-old the day before their 18th birthday', () => {
    expect(verifyIdentity(leapling, { today: '2026-02-28' })).toEqual({ outcome: 'rejected', reasons: ['must be at least 18 years old'] });
  });

  it('rejects a duplicate document without naming the customer who holds it', () => {
    const result = verifyIdentity(spanish, { today, duplicateCustomerId: 'cust-4711' });
    expect(result).toEqual({ outcome: 'rejected', reasons: ['document already belongs to an existing customer'] });
    expect(JSON.stringify(result)).not.toContain('4711');
  });

  it.each([
    ['a passport', { ...spanish, document: passport }, ['document: passport numbers cannot be checked automatically']],
    ['an id card of a country without a check', { ...spanish, document: { type: 'nationalIdCard', number: 'X4RTBPFW4', issuingCountry: 'FR' } }, ['document: no automatic check for nationalIdCard issued by FR']],
    ['an age over 110', { ...spanish, birthDate: '1915-03-01' }, ['age over 110']],
    ['given name equal to family name', { ...spanish, givenName: 'Suharto', familyName: 'SUHARTO' }, ['given name equals family name']],
    ['Latin with a look-alike Cyrillic letter', { ...spanish, givenName: 'Mаria' }, ['name mixes scripts: Latin, Cyrillic']],
    ['a Latin given name with a Cyrillic family name', { ...spanish, familyName: 'Петрова' }, ['name mixes scripts: Latin, Cyrillic']],
  ] as [string, IdentityInput, string[]][])('sends %s to manual review', (_label, input, reasons) =>
    expect(verifyIdentity(input, { today })).toEqual({ outcome: 'manualReview', reasons }));

  it('reports every rejection reason at once, in rule order', () => {
    const input = { ...spanish, givenName: 'Ana#', birthDate: '2010-01-01', document: { ...spanish.document, number: '12345678A' } };
    expect(verifyIdentity(input, { today, duplicateCustomerId: 'c-1' })).toEqual({
      outcome: 'rejected',
      reasons: [
        'document: check letter should be Z',
        'document already belongs to an existing customer',
        'must be at least 18 years old',
        'given name may contain only letters, spaces, hyphens, apostrophes and dots',
      ],
    });
  });

  it('reports every review reason at once', () => {
    const input = { ...spanish, givenName: 'Ana', familyName: 'Ana', birthDate: '1910-01-01', document: passport };
    expect(verifyIdentity(input, { today })).toEqual({
      outcome: 'manualReview',
      reasons: ['document: passport numbers cannot be checked automatically', 'age over 110', 'given name equals family name'],
    });
  });

  it('lets a rejection win over review reasons, and reports only the rejection', () => {
    const input = { ...spanish, givenName: 'Mаria', birthDate: '2009-01-01', document: passport };
    expect(verifyIdentity(input, { today })).toEqual({ outcome: 'rejected', reasons: ['must be at least 18 years old'] });
  });

  it('takes today as a Date too, read in UTC', () => {
    expect(verifyIdentity(leapling, { today: new Date('2026-02-28T23:59:59Z') }).outcome).toBe('rejected');
    expect(verifyIdentity(leapling, { today: new Date('2026-03-01T00:00:00Z') }).outcome).toBe('verified');
  });

  it('throws when the clock passed in is not a date: that is a bug, not a customer error', () => {
    expect(() => verifyIdentity(spanish, { today: '2026-02-30' })).toThrow(RangeError);
  });
});
