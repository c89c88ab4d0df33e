/**
 * TMF666 Account Management v4: the billing account as clients write it (`name` and
 * `relatedParty` mandatory), with our documented extensions on `billStructure` — the bill cycle
 * the billing engine runs on:
 *
 * - `billCycleDay`: day of the month the bill period starts, 1–28 (every month has it);
 * - `currency`: ISO 4217 code of the account (its bills, balance and credit limit);
 * - `timeZone`: IANA time zone the account's days and bill periods are cut in;
 * - `paymentType`: `prepaid` or `postpaid`.
 *
 * The server fills whichever is missing (BILL_STRUCTURE_DEFAULTS in db/crm-models.ts).
 */
import { z } from 'zod';
import { dateTime, entityRef, money, timePeriod, tmfBase } from './common';
import { contactMedium, relatedParty } from './tmf632';

export const BILLING_ACCOUNT_STATES = ['Defined', 'Active', 'Suspended', 'Closed'] as const;
export const ACCOUNT_PAYMENT_TYPES = ['prepaid', 'postpaid'] as const;

/** Filled on create where the client left them out (the operator bills in euros, in Spain). */

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 code that exists (as the runtime's ICU knows them), not just three letters. */
export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'ISO 4217 currency code, e.g. EUR')
  .refine((c) => CURRENCIES.has(c), { message: 'not an ISO 4217 currency code' });

/** True for an IANA zone name the runtime knows (`Europe/Madrid`, `UTC`); offsets are refused. */
export function isIanaTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const ianaTimeZone = z.string().refine(isIanaTimeZone, { message: 'not an IANA time zone name, e.g. Europe/Madrid' });

const refOrValue = z
  .object({ id: z.string().optional(), href: z.string().optional(), name: z.string().optional(), isRef: z.boolean().optional(), ...tmfBase })
  .loose();

export const billStructure = z
  .object({
    ...tmfBase,
    cycleSpecification: refOrValue.optional(),
    format: refOrValue.optional(),
    presentationMedia: z.array(refOrValue).optional(),
    billCycleDay: z.number().int().min(1).max(28).optional(),
    currency: currencyCode.optional(),
    timeZone: ianaTimeZone.optional(),
    paymentType: z.enum(ACCOUNT_PAYMENT_TYPES).optional(),
  })
  .loose();

const accountBalance = z.object({ balanceType: z.string().min(1), amount: money, validFor: timePeriod.optional(), ...tmfBase }).loose();

const contact = z
  .object({
    contactName: z.string().optional(),
    contactType: z.string().min(1),
    partyRoleType: z.string().optional(),
    contactMedium: z.array(contactMedium).optional(),
    relatedParty: relatedParty.optional(),
    validFor: timePeriod.optional(),
    ...tmfBase,
  })
  .loose();

export const billingAccountSchema = z.object({
  ...tmfBase,
  name: z.string().min(1),
  description: z.string().optional(),
  accountType: z.string().optional(),
  state: z.enum(BILLING_ACCOUNT_STATES).optional(),
  paymentStatus: z.string().optional(),
  lastModified: dateTime.optional(),
  relatedParty: z.array(relatedParty).min(1),
  billStructure: billStructure.optional(),
  defaultPaymentMethod: entityRef.optional(),
  creditLimit: money.optional(),
  accountBalance: z.array(accountBalance).optional(),
  accountRelationship: z.array(z.object({ relationshipType: z.string().min(1), account: entityRef.optional(), validFor: timePeriod.optional() }).loose()).optional(),
  contact: z.array(contact).optional(),
  financialAccount: entityRef.optional(),
  paymentPlan: z.array(z.object({ ...tmfBase }).loose()).optional(),
  taxExemption: z.array(z.object({ ...tmfBase }).loose()).optional(),
});
