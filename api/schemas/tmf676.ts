/** TMF676 Payment Management v4: the payment a client creates (the server fills status, dates, payer). */
import { z } from 'zod';
import { entityRef, tmfBase } from './common';

/**
 * An amount as TMF writes it (a JSON number) or as a decimal string; at most 2 decimals, above 0,
 * and below 10^12 (what the charges and the account ledger store, `numeric(14,2)`).
 */
const amountValue = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const text = typeof v === 'number' ? String(v) : v.trim();
  if (!/^0*\d{1,12}(\.\d{1,2})?$/.test(text) || /^0+(\.0+)?$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'must be an amount above 0 and below 10^12 with at most 2 decimals, e.g. 36.30' });
    return z.NEVER;
  }
  return text;
});

export const paymentMoney = z.object({ unit: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code'), value: amountValue });

/** POST /payment: a card payment on a billing account. */
export const paymentCreateSchema = z
  .object({
    account: entityRef,
    totalAmount: paymentMoney,
    /** The customer's card (a payment method id); without `id`, the customer's latest card. */
    paymentMethod: z.object({ id: z.string().min(1).optional(), '@referredType': z.string().optional(), '@type': z.string().optional() }).loose(),
    /** The client's idempotency key (or the Idempotency-Key header): the same key is one payment. */
    correlatorId: z.string().min(1).max(200).optional(),
    description: z.string().optional(),
    name: z.string().optional(),
    channel: entityRef.optional(),
    ...tmfBase,
  })
  .loose();

/** A stored payment as GET returns it. */
export const paymentSchema = z
  .object({
    account: entityRef,
    totalAmount: z.object({ unit: z.string(), value: z.number() }),
    paymentMethod: z.object({ id: z.string().optional() }).loose(),
    correlatorId: z.string().optional(),
    status: z.string().optional(),
    statusDate: z.string().optional(),
    paymentDate: z.string().optional(),
    authorizationCode: z.string().optional(),
    payer: entityRef.optional(),
    description: z.string().optional(),
    name: z.string().optional(),
    ...tmfBase,
  })
  .loose();
