/** Test data for registrations: valid Spanish DNIs, a complete request, a tiny real PDF. */
import type { Knex } from 'knex';
import { randomInt, randomUUID } from 'node:crypto';
import { insertRegistration } from '../../db/registrations';
import { blindIndex, encryptPii, maskTail, type PiiKeys } from '../../domain/pii';

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** A valid DNI (8 digits and the mod-23 letter), different on every call. */
export function validDni(): string {
  const n = randomInt(10_000_000, 99_999_999);
  return `${n}${DNI_LETTERS[n % 23]}`;
}

/** The same number with a wrong check letter. */
export function wrongLetterDni(): string {
  const valid = validDni();
  const right = valid.slice(-1);
  const wrong = DNI_LETTERS[(DNI_LETTERS.indexOf(right) + 1) % 23];
  return valid.slice(0, 8) + wrong;
}

/** A mobile number no other test uses, in E.164. */
export function uniqueMobile(): string {
  return `+3461${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
}

/** A complete self-registration through the portal, postpaid with a Visa card. */
export function registrationRequest(overrides: Record<string, unknown> = {}) {
  const mobile = uniqueMobile();
  return {
    channel: 'portal',
    language: 'es',
    givenName: 'Lucía',
    familyName: 'García Pérez',
    birthDate: '1990-05-17',
    nationalIdentity: { type: 'nationalIdCard', number: validDni(), issuingCountry: 'ES' },
    contact: {
      email: `lucia.${mobile.slice(1)}@example.com`,
      mobile,
      address: { street: 'Calle Mayor 1', city: 'Madrid', postalCode: '28013', country: 'ES' },
    },
    account: { paymentType: 'postpaid', currency: 'EUR', billCycleDay: 1, timeZone: 'Europe/Madrid' },
    service: { mobile: true },
    paymentMethod: { type: 'card', number: '4111 1111 1111 1111', expiryMonth: 12, expiryYear: 2030, holderName: 'Lucia Garcia' },
    ...overrides,
  };
}

/** A minimal real PDF (the upload is checked by content). */
export const PDF_SCAN = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/**
 * Stores a registration the way the API does (sealed document number), for tests that drive the
 * workflow themselves; returns its id.
 */
export async function insertTestRegistration(
  knex: Knex,
  keys: PiiKeys,
  document: { type: string; number: string; country: string } = { type: 'nationalIdCard', number: validDni(), country: 'ES' },
): Promise<{ id: string; email: string; mobile: string }> {
  const body = registrationRequest();
  const id = randomUUID();
  await insertRegistration(
    knex,
    {
      id,
      idempotencyKey: null,
      channel: 'callCentre',
      language: 'en',
      applicant: {
        givenName: body.givenName,
        familyName: body.familyName,
        birthDate: body.birthDate,
        email: body.contact.email,
        mobile: body.contact.mobile,
        address: body.contact.address,
      },
      document: {
        type: document.type,
        country: document.country,
        numberSealed: encryptPii(keys, document.number),
        numberIndex: blindIndex(keys, document.number),
        numberMasked: maskTail(document.number),
      },
      account: { paymentType: 'prepaid', currency: 'EUR', billCycleDay: 1, timeZone: 'Europe/Madrid' },
      wantsMobile: true,
      preferredMsisdn: null,
    },
    undefined,
  );
  return { id, email: body.contact.email, mobile: body.contact.mobile };
}
