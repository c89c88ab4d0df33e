/**
 * A registration as a channel submits it: personal information, identity document, contact,
 * account preferences, service and billing information. Formats, age and required fields are
 * checked here (400 naming each field); check digits and duplicates are the verifier's job.
 */
import { z } from 'zod';
import { isValidEmail } from '../../domain/contact/email';
import { normalizeE164 } from '../../domain/contact/phone';
import { hasPostalCodeRule, isValidPostalCode } from '../../domain/contact/postal-code';
import { isAdult, isValidIsoDate } from '../../domain/identity/calendar';
import { validateCard } from '../../domain/payment/card';
import { validateIban } from '../../domain/payment/iban';

export const CHANNELS = ['portal', 'callCentre', 'store'] as const;
export const LANGUAGES = ['en', 'es'] as const;

const name = z.string().trim().min(1).max(60);
const isoDate = z.iso.date();

const card = z.object({
  type: z.literal('card'),
  number: z.string().min(12).max(23),
  expiryMonth: z.number().int().min(1).max(12),
  expiryYear: z.number().int().min(0).max(9999),
  holderName: name,
});

const directDebit = z.object({
  type: z.literal('directDebit'),
  iban: z.string().min(15).max(42),
  holderName: name,
});

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The request schema; `today` (YYYY-MM-DD, from the server clock) decides adulthood and card expiry. */
export function registrationRequestSchema(today: string) {
  return z
    .object({
      channel: z.enum(CHANNELS),
      language: z.enum(LANGUAGES).default('en'),
      givenName: name,
      familyName: name,
      birthDate: isoDate,
      nationalIdentity: z.object({
        type: z.enum(['nationalIdCard', 'residencePermit', 'passport']),
        number: z.string().trim().min(5).max(20).regex(/^[A-Za-z0-9 -]+$/, 'letters, digits, spaces and dashes only'),
        issuingCountry: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2 country code'),
      }),
      contact: z.object({
        email: z.string().max(254),
        mobile: z.string().max(32),
        address: z.object({
          street: z.string().trim().min(1).max(200),
          city: z.string().trim().min(1).max(100),
          postalCode: z.string().trim().min(1).max(16),
          country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2 country code'),
        }),
      }),
      account: z
        .object({
          paymentType: z.enum(['prepaid', 'postpaid']),
          currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code').default('EUR'),
          billCycleDay: z.number().int().min(1).max(28).default(1),
          timeZone: z.string().default('Europe/Madrid'),
        })
        .refine((a) => isTimeZone(a.timeZone), { path: ['timeZone'], message: 'not an IANA time zone' }),
      service: z.object({ mobile: z.boolean().default(true), msisdn: z.string().optional() }).default({ mobile: true }),
      paymentMethod: z.discriminatedUnion('type', [card, directDebit]).optional(),
    })
    .superRefine((r, ctx) => {
      const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
      if (isValidIsoDate(r.birthDate) && !isAdult(r.birthDate, today)) issue(['birthDate'], 'the customer must be 18 or older');
      if (!isValidEmail(r.contact.email)) issue(['contact', 'email'], 'not a valid e-mail address');
      const mobile = normalizeE164(r.contact.mobile);
      if (!mobile.valid) issue(['contact', 'mobile'], `not an E.164 number: ${mobile.reason}`);
      const { postalCode, country } = r.contact.address;
      if (hasPostalCodeRule(country) && !isValidPostalCode(postalCode, country)) issue(['contact', 'address', 'postalCode'], `not a postal code of ${country}`);
      if (r.service.msisdn !== undefined && !normalizeE164(r.service.msisdn).valid) issue(['service', 'msisdn'], 'not an E.164 number');
      if (r.account.paymentType === 'postpaid' && !r.paymentMethod) issue(['paymentMethod'], 'required for postpaid');
      if (r.paymentMethod?.type === 'card') {
        const verdict = validateCard({ ...r.paymentMethod, today });
        if (!verdict.valid) issue(['paymentMethod', 'number'], verdict.reasons.join('; '));
      }
      if (r.paymentMethod?.type === 'directDebit') {
        const verdict = validateIban(r.paymentMethod.iban);
        if (!verdict.valid) issue(['paymentMethod', 'iban'], verdict.reason);
      }
    });
}

export type RegistrationRequest = z.infer<ReturnType<typeof registrationRequestSchema>>;

export const reviewRequestSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().max(500).optional(),
});
