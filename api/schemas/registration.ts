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

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const e164 = z.string().max(32).superRefine((value, ctx) => {
  const verdict = normalizeE164(value);
  if (!verdict.valid) ctx.addIssue({ code: 'custom', message: `not an E.164 number: ${verdict.reason}` });
});

/**
 * The request schema; `today` (YYYY-MM-DD, from the server clock) decides adulthood and card
 * expiry. Checks sit on the smallest object that holds what they need, so that one request gets
 * every field's problem at once (zod skips an object's own checks while its fields fail).
 */
/** A card as entered (number, expiry, holder): Luhn and an expiry after `today`. */
export function cardSchema(today: string) {
  return z
    .object({
      type: z.literal('card'),
      number: z.string().min(12).max(23),
      expiryMonth: z.number().int().min(1).max(12),
      expiryYear: z.number().int().min(0).max(9999),
      holderName: name,
    })
    .superRefine((c, ctx) => {
      const verdict = validateCard({ ...c, today });
      if (!verdict.valid) ctx.addIssue({ code: 'custom', path: ['number'], message: verdict.reasons.join('; ') });
    });
}

export function registrationRequestSchema(today: string) {
  const card = cardSchema(today);
  const directDebit = z.object({
    type: z.literal('directDebit'),
    iban: z.string().min(15).max(42).superRefine((iban, ctx) => {
      const verdict = validateIban(iban);
      if (!verdict.valid) ctx.addIssue({ code: 'custom', message: verdict.reason });
    }),
    holderName: name,
  });
  return z
    .object({
      channel: z.enum(CHANNELS),
      language: z.enum(LANGUAGES).default('en'),
      givenName: name,
      familyName: name,
      birthDate: isoDate.refine((d) => !isValidIsoDate(d) || isAdult(d, today), 'the customer must be 18 or older'),
      nationalIdentity: z.object({
        type: z.enum(['nationalIdCard', 'residencePermit', 'passport']),
        number: z.string().trim().min(5).max(20).regex(/^[A-Za-z0-9 -]+$/, 'letters, digits, spaces and dashes only'),
        issuingCountry: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2 country code'),
      }),
      contact: z.object({
        email: z.string().max(254).refine(isValidEmail, 'not a valid e-mail address'),
        mobile: e164,
        address: z
          .object({
            street: z.string().trim().min(1).max(200),
            city: z.string().trim().min(1).max(100),
            postalCode: z.string().trim().min(1).max(16),
            country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2 country code'),
          })
          .refine((a) => !hasPostalCodeRule(a.country) || isValidPostalCode(a.postalCode, a.country), {
            path: ['postalCode'],
            message: 'not a postal code of the address country',
          }),
      }),
      account: z
        .object({
          paymentType: z.enum(['prepaid', 'postpaid']),
          currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code').default('EUR'),
          billCycleDay: z.number().int().min(1).max(28).default(1),
          timeZone: z.string().default('Europe/Madrid').refine(isTimeZone, 'not an IANA time zone'),
        }),
      service: z.object({ mobile: z.boolean().default(true), msisdn: e164.optional() }).default({ mobile: true }),
      paymentMethod: z.discriminatedUnion('type', [card, directDebit]).optional(),
    })
    .refine((r) => r.account.paymentType !== 'postpaid' || r.paymentMethod !== undefined, {
      path: ['paymentMethod'],
      message: 'required for postpaid',
    });
}

export type RegistrationRequest = z.infer<ReturnType<typeof registrationRequestSchema>>;

export const reviewRequestSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().max(500).optional(),
});
