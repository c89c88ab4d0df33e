/**
 * TMF654 Prepay Balance Management v4: what clients write. Quantities take the spec's JSON
 * numbers or decimal strings; the server turns them into decimals. Server-owned attributes
 * (status, requestedDate, confirmationDate) are dropped from what clients send.
 */
import { z } from 'zod';
import { ACTION_STATUSES } from '../../db/prepay-models';
import { parseQuantityAmount, USAGE_TYPES } from '../../domain/prepay/quantity';
import { dateTime, decimalString, entityRef, timePeriod, tmfBase } from './common';

/**
 * The amounts a balance holds: 6 decimals (the ledger's `numeric(30,6)`, money at rating
 * precision) and below 10^18 of a unit (an exa-octet), so that no amount is rounded away in the
 * store and no balance overflows it. Past either, a request is refused rather than changed.
 */
const storableAmount = (value: number | string, ctx: z.RefinementCtx): void => {
  if (typeof value === 'string' && !decimalString.safeParse(value).success) return; // the union has said what is wrong (zod runs refinements anyway)
  const amount = parseQuantityAmount(value);
  if (amount.decimalPlaces() > 6) ctx.addIssue({ code: 'custom', message: 'at most 6 decimals' });
  if (amount.abs().gte('1e18')) ctx.addIssue({ code: 'custom', message: 'must be below 10^18 in absolute value' });
};

/** A Quantity as a client writes it: the amount is a JSON number or a decimal string. */
export const quantityInput = z
  .object({
    amount: z.union([z.number().finite(), decimalString]).superRefine(storableAmount),
    units: z.string().min(1),
    ...tmfBase,
  })
  .loose();

const partyRef = z.object({ id: z.string().min(1), role: z.string().optional(), name: z.string().optional(), '@referredType': z.string().optional() }).loose();

const actionBase = {
  ...tmfBase,
  description: z.string().optional(),
  reason: z.string().optional(),
  usageType: z.enum(USAGE_TYPES).optional(),
  amount: quantityInput.optional(),
  bucket: entityRef.optional(),
  partyAccount: entityRef.optional(),
  // The spec has arrays; clients (the TMF654 kit among them) also send a single reference.
  product: z.union([z.array(entityRef), entityRef]).optional(),
  logicalResource: z.union([z.array(entityRef), entityRef]).optional(),
  channel: z.object({}).loose().optional(),
  relatedParty: z.array(partyRef).optional(),
  requestor: partyRef.optional(),
  status: z.enum(ACTION_STATUSES).optional(),
  requestedDate: dateTime.optional(),
  confirmationDate: dateTime.optional(),
  validFor: timePeriod.optional(),
};

/** A top-up: by card (`paymentMethod`, a card of the customer), by `voucher`, or (staff) paid at the counter. */
export const topupBalanceSchema = z.object({
  ...actionBase,
  voucher: z.string().min(1).max(64).optional(),
  paymentMethod: entityRef.optional(),
  isAutoTopup: z.boolean().optional(),
});

/** An adjustment by staff: a positive amount credits the bucket, a negative one debits it. */
export const adjustBalanceSchema = z.object({ ...actionBase, adjustType: z.enum(['recurring', 'oneTime']).optional() });

/** A reservation of an amount on a bucket until `validFor.endDateTime` (default 15 minutes). */
export const reserveBalanceSchema = z.object(actionBase);

/** A bucket created by staff: on the charging account of `partyAccount` (a billing account), or on one of its own. */
export const bucketCreateSchema = z.object({
  ...tmfBase,
  usageType: z.enum(USAGE_TYPES),
  name: z.string().optional(),
  description: z.string().optional(),
  remainingValue: quantityInput.optional(),
  partyAccount: entityRef.optional(),
  // The one line (MSISDN) that may draw on the bucket; without it, every line of the account.
  logicalResource: z.array(entityRef).max(1, 'a bucket belongs to one line, or to every line of its account (no logicalResource)').optional(),
  validFor: timePeriod.optional(),
  creditLimit: quantityInput.optional(),
});

/** The bucket as it is read (for the OpenAPI description; buckets are not written through PATCH). */
export const bucketSchema = z.object({
  ...tmfBase,
  name: z.string().optional(),
  description: z.string().optional(),
  usageType: z.enum(USAGE_TYPES).optional(),
  status: z.enum(['active', 'suspended', 'expired']).optional(),
  remainingValue: quantityInput.optional(),
  reservedValue: quantityInput.optional(),
  remainingValueName: z.string().optional(),
  isShared: z.boolean().optional(),
  confirmationDate: dateTime.optional(),
  validFor: timePeriod.optional(),
  partyAccount: entityRef.optional(),
  relatedParty: z.array(partyRef).optional(),
  product: z.array(entityRef).optional(),
  logicalResource: z.array(entityRef).optional(),
});

/** TMF654 AccumulatedBalance: the total of a customer's buckets of one usage type and unit. */
export const accumulatedBalanceSchema = z.object({
  ...tmfBase,
  name: z.string().optional(),
  description: z.string().optional(),
  totalBalance: quantityInput.optional(),
  bucket: z.array(entityRef).optional(),
  partyAccount: entityRef.optional(),
  relatedParty: z.array(partyRef).optional(),
});

/** TMF654 BalanceActionHistory: one charging ledger entry. */
export const balanceActionHistorySchema = z.object({
  ...tmfBase,
  description: z.string().optional(),
  reason: z.string().optional(),
  status: z.enum(ACTION_STATUSES).optional(),
  actionType: z.enum(['credit', 'debit', 'reservation', 'release']).optional(),
  amount: quantityInput.optional(),
  bucket: entityRef.optional(),
  partyAccount: entityRef.optional(),
  relatedParty: z.array(partyRef).optional(),
  confirmationDate: dateTime.optional(),
});
