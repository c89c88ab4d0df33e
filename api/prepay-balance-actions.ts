/**
 * The writes of TMF654: top-ups, adjustments, reservations and new buckets. Each one locks the
 * bucket, checks the rules, changes the balance with its ledger entry and stores the action, in
 * one transaction. A rule broken on a bucket we hold is refused (4xx, nothing changes). An action
 * naming a bucket we do not hold is recorded `failed` with the reason (201), as the spec's
 * failure events describe: the TMF654 conformance kit acts on a bucket `11` no server holds.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { z } from 'zod';
import {
  applyLedgerEntry,
  availableOf,
  chargingAccountOfBillingAccount,
  insertPrepayBucket,
  lockPrepayBucket,
  moneyBucketOfBillingAccount,
  openStandaloneAccount,
  type PrepayBucket,
} from '../db/prepay-balance';
import { insertReservationHold, rearmLowBalance, releaseReservationHold } from '../db/prepay-housekeeping';
import { adjustBalanceModel, reserveBalanceModel, topupBalanceModel, type ActionStatus } from '../db/prepay-models';
import { burnVoucher, lockVoucher } from '../db/prepay-vouchers';
import { findResource, resourceHref, type TmfDocument } from '../db/tmf-resources';
import { insertTmfDocument, patchTmfResource, type TmfModel } from '../db/tmf-store';
import { money, type Money } from '../domain/money';
import { bucketStatusOf, bucketTypeOf, parseQuantityAmount, sameUnits, toQuantity, usageTypeOf } from '../domain/prepay/quantity';
import type { Principal } from './auth';
import { bucketRef } from './prepay-balance-views';
import type { adjustBalanceSchema, bucketCreateSchema, reserveBalanceSchema, topupBalanceSchema } from './schemas/tmf654';
import { badRequest, notFound, TmfError } from './tmf/errors';

export interface ActionDeps {
  knex: Knex;
  publicUrl: string;
  /** Default low-balance threshold: a credit that lifts an account to it arms the notice again. */
  lowBalanceThreshold: string;
}

/** What the API starts after a card top-up is stored (the workflow `topup-<id>`). */
export interface CardTopUp {
  topupId: string;
  bucketId: string;
  customerId: string;
  amount: string;
  currency: string;
  paymentMethodId: string;
}

/** Default and longest life of a TMF654 reservation. */
export const DEFAULT_RESERVATION_MS = 15 * 60_000;
export const MAX_RESERVATION_MS = 30 * 24 * 3600_000;

const unprocessable = (message: string) => new TmfError(422, 'Unprocessable Entity', message);
const isCustomer = (p: Principal) => p.roles.every((r) => r === 'customer');

function positiveAmount(amount: { amount: number | string } | undefined, name = 'amount.amount'): Money | undefined {
  if (!amount) return undefined;
  const value = parseQuantityAmount(amount.amount);
  if (value.lte(0)) throw badRequest(`${name}: must be greater than zero`);
  return value;
}

const customerRef = (publicUrl: string, customerId: string) => ({
  id: customerId,
  href: `${publicUrl}/tmf-api/customerManagement/v4/customer/${customerId}`,
  role: 'customer',
  '@referredType': 'Customer',
});

/** The caller's parties, with the bucket's customer first (the owner) and no other customer. */
function partiesFor(publicUrl: string, bucket: PrepayBucket, given: Array<Record<string, unknown>> | undefined) {
  const others = (given ?? []).filter((p) => String(p.role ?? '').toLowerCase() !== 'customer' && p['@referredType'] !== 'Customer');
  return bucket.customerId ? [customerRef(publicUrl, bucket.customerId), ...others] : others;
}

function throwIfNotUsable(bucket: PrepayBucket, now: Date): void {
  const status = bucketStatusOf(bucket, now);
  if (status !== 'active') throw unprocessable(`bucket ${bucket.id} is ${status}`);
}

function throwIfOtherCustomer(principal: Principal, bucket: PrepayBucket): void {
  if (isCustomer(principal) && bucket.customerId !== principal.customerId) throw new TmfError(403, 'Forbidden', 'a customer may only act on its own buckets');
}

function throwIfOtherUnits(units: string, bucket: PrepayBucket): void {
  if (!sameUnits(units, bucket.unit)) throw unprocessable(`amount.units: bucket ${bucket.id} holds ${bucket.unit}, not ${units}`);
}

interface Stored {
  doc: TmfDocument;
  cardTopUp?: CardTopUp;
}

/** The action document every kind shares: the request as sent, with what the server owns. */
function actionDocument(model: TmfModel, publicUrl: string, body: Record<string, unknown>, id: string, now: Date): TmfDocument {
  const amount = body.amount as { amount: number | string; units: string } | undefined;
  // Stored and answered as the spec writes it: a JSON number, whichever form the client used.
  if (amount) body = { ...body, amount: { ...amount, ...toQuantity(parseQuantityAmount(amount.amount), amount.units) } };
  return { ...body, id, href: resourceHref(publicUrl, model.apiName, model.name, id), '@type': body['@type'] ?? model.type, requestedDate: now.toISOString() };
}

function settle(doc: TmfDocument, status: ActionStatus, now: Date, reason?: string): TmfDocument {
  const settled: TmfDocument = { ...doc, status };
  if (status === 'completed') settled.confirmationDate = now.toISOString();
  if (reason) settled.statusReason = reason;
  return settled;
}

/** A bucket reference that names nothing we hold: the action is recorded failed. */
async function recordUnknownBucket(trx: Knex.Transaction, model: TmfModel, doc: TmfDocument, what: string, now: Date): Promise<Stored> {
  return { doc: await insertTmfDocument(trx, model, settle(doc, 'failed', now, `${what} not found`), now) };
}

/** The bucket a top-up goes to: `bucket`, else the money bucket of `partyAccount`. */
async function topupTarget(trx: Knex.Transaction, body: { bucket?: { id: string }; partyAccount?: { id: string } }): Promise<{ bucket?: PrepayBucket; named: string }> {
  if (body.bucket) return { bucket: await lockPrepayBucket(trx, body.bucket.id), named: `bucket ${body.bucket.id}` };
  if (!body.partyAccount) throw badRequest('bucket: name the bucket (bucket.id) or the billing account (partyAccount.id) to top up');
  const bucketId = await moneyBucketOfBillingAccount(trx, body.partyAccount.id);
  return { bucket: bucketId ? await lockPrepayBucket(trx, bucketId) : undefined, named: `money bucket of billing account ${body.partyAccount.id}` };
}

/** POST topupBalance: by voucher or (staff) at the counter at once; by card through the top-up workflow. */
export async function createTopup(deps: ActionDeps, principal: Principal, body: z.infer<typeof topupBalanceSchema>, now: Date): Promise<Stored> {
  if (body.voucher && body.paymentMethod) throw badRequest('voucher, paymentMethod: pay by one of them');
  if (isCustomer(principal) && !body.voucher && !body.paymentMethod) throw badRequest('paymentMethod: a customer tops up by card (paymentMethod) or voucher');
  if (!body.voucher && !body.amount) throw badRequest('amount: required unless a voucher gives it');
  const amount = positiveAmount(body.amount);
  if (body.usageType && body.usageType !== 'monetary') throw unprocessable('usageType: top-ups add money (monetary)');
  const id = randomUUID();
  const { voucher: _code, ...shown } = body;
  const base = actionDocument(topupBalanceModel, deps.publicUrl, { ...shown, usageType: 'monetary', ...(body.voucher ? { voucher: `****${body.voucher.slice(-4)}` } : {}) }, id, now);
  return deps.knex.transaction(async (trx) => {
    const { bucket, named } = await topupTarget(trx, body);
    if (!bucket) return recordUnknownBucket(trx, topupBalanceModel, base, named, now);
    throwIfOtherCustomer(principal, bucket);
    if (bucket.type !== 'money') throw unprocessable(`bucket ${bucket.id} holds ${bucket.unit}: top-ups go to a money bucket`);
    throwIfNotUsable(bucket, now);
    if (body.amount) throwIfOtherUnits(body.amount.units, bucket);
    const doc: TmfDocument = { ...base, bucket: bucketRef(deps.publicUrl, bucket.id), relatedParty: partiesFor(deps.publicUrl, bucket, body.relatedParty) };
    if (bucket.billingAccountId) doc.partyAccount = { id: bucket.billingAccountId, '@referredType': 'BillingAccount' };

    if (body.paymentMethod) {
      const card = await trx('crm_payment_method').where({ id: body.paymentMethod.id, customer_id: bucket.customerId, type: 'card' }).first('id');
      if (!card) throw unprocessable(`paymentMethod: ${body.paymentMethod.id} is not a card of the bucket's customer`);
      const stored = await insertTmfDocument(trx, topupBalanceModel, settle(doc, 'created', now), now);
      return { doc: stored, cardTopUp: { topupId: id, bucketId: bucket.id, customerId: bucket.customerId, amount: amount!.toFixed(), currency: bucket.unit, paymentMethodId: card.id } };
    }

    let credit = amount!;
    if (body.voucher) {
      const voucher = await lockVoucher(trx, body.voucher);
      if (!voucher) throw unprocessable('voucher: unknown code');
      if (voucher.state === 'used') throw unprocessable('voucher: already used');
      if (voucher.expiresAt <= now) throw unprocessable('voucher: expired');
      if (!sameUnits(voucher.currency, bucket.unit)) throw unprocessable(`voucher: worth ${voucher.currency}, the bucket holds ${bucket.unit}`);
      if (amount && !amount.eq(voucher.value)) throw unprocessable(`amount: the voucher is worth ${money(voucher.value).toFixed(2)} ${voucher.currency}`);
      await burnVoucher(trx, body.voucher, id, now);
      credit = money(voucher.value);
      doc.amount = toQuantity(credit, bucket.unit);
    }
    await applyLedgerEntry(trx, { bucketId: bucket.id, kind: 'credit', amount: credit.toFixed(), reference: `topup:${id}`, now });
    await rearmLowBalance(trx, bucket.chargingAccountId, now, deps.lowBalanceThreshold);
    return { doc: await insertTmfDocument(trx, topupBalanceModel, settle(doc, 'completed', now), now) };
  });
}

/** POST adjustBalance (staff): a positive amount credits, a negative one debits down to the credit limit at most. */
export async function createAdjustment(deps: ActionDeps, body: z.infer<typeof adjustBalanceSchema>, now: Date): Promise<Stored> {
  if (!body.amount) throw badRequest('amount: required');
  if (!body.bucket) throw badRequest('bucket: required (the bucket to adjust)');
  const amount = parseQuantityAmount(body.amount.amount);
  if (amount.isZero()) throw badRequest('amount.amount: an adjustment is not zero (positive credits, negative debits)');
  const id = randomUUID();
  const base = actionDocument(adjustBalanceModel, deps.publicUrl, body, id, now);
  return deps.knex.transaction(async (trx) => {
    const bucket = await lockPrepayBucket(trx, body.bucket!.id);
    if (!bucket) return recordUnknownBucket(trx, adjustBalanceModel, base, `bucket ${body.bucket!.id}`, now);
    throwIfOtherUnits(body.amount!.units, bucket);
    if (body.usageType && body.usageType !== usageTypeOf(bucket.type)) throw unprocessable(`usageType: bucket ${bucket.id} is ${usageTypeOf(bucket.type)}`);
    if (amount.lt(0) && availableOf(bucket).plus(amount).lt(0)) {
      throw unprocessable(`amount: a debit of ${amount.abs().toFixed()} ${bucket.unit} would take bucket ${bucket.id} below its credit limit (available ${availableOf(bucket).toFixed()})`);
    }
    const kind = amount.gt(0) ? 'credit' : 'debit';
    await applyLedgerEntry(trx, { bucketId: bucket.id, kind, amount: amount.abs().toFixed(), reference: `adjustment:${id}`, now });
    if (kind === 'credit' && bucket.type === 'money') await rearmLowBalance(trx, bucket.chargingAccountId, now, deps.lowBalanceThreshold);
    const doc = { ...base, usageType: usageTypeOf(bucket.type), bucket: bucketRef(deps.publicUrl, bucket.id), relatedParty: partiesFor(deps.publicUrl, bucket, body.relatedParty) };
    return { doc: await insertTmfDocument(trx, adjustBalanceModel, settle(doc, 'completed', now), now) };
  });
}

/** POST reserveBalance: holds an amount of a bucket until validFor.endDateTime; housekeeping releases it after. */
export async function createReservation(deps: ActionDeps, principal: Principal, body: z.infer<typeof reserveBalanceSchema>, now: Date): Promise<Stored> {
  if (!body.bucket) throw badRequest('bucket: required (the bucket to reserve on)');
  const amount = positiveAmount(body.amount);
  if (!amount) throw badRequest('amount: required');
  const end = body.validFor?.endDateTime ? new Date(body.validFor.endDateTime) : new Date(now.getTime() + DEFAULT_RESERVATION_MS);
  if (end <= now) throw unprocessable('validFor.endDateTime: must be in the future');
  if (end.getTime() - now.getTime() > MAX_RESERVATION_MS) throw unprocessable('validFor.endDateTime: a reservation lasts 30 days at most');
  const id = randomUUID();
  const base = actionDocument(reserveBalanceModel, deps.publicUrl, body, id, now);
  return deps.knex.transaction(async (trx) => {
    const bucket = await lockPrepayBucket(trx, body.bucket!.id);
    if (!bucket) return recordUnknownBucket(trx, reserveBalanceModel, base, `bucket ${body.bucket!.id}`, now);
    throwIfOtherCustomer(principal, bucket);
    throwIfNotUsable(bucket, now);
    throwIfOtherUnits(body.amount!.units, bucket);
    if (availableOf(bucket).lt(amount)) throw unprocessable(`amount: bucket ${bucket.id} has ${availableOf(bucket).toFixed()} ${bucket.unit} available`);
    await applyLedgerEntry(trx, { bucketId: bucket.id, kind: 'reservation', amount: amount.toFixed(), reference: `reservation:${id}`, now });
    await insertReservationHold(trx, { reservationId: id, bucketId: bucket.id, amount: amount.toFixed(), expiresAt: end, now });
    const doc = {
      ...base,
      usageType: usageTypeOf(bucket.type),
      bucket: bucketRef(deps.publicUrl, bucket.id),
      relatedParty: partiesFor(deps.publicUrl, bucket, body.relatedParty),
      validFor: { startDateTime: now.toISOString(), endDateTime: end.toISOString() },
    };
    return { doc: await insertTmfDocument(trx, reserveBalanceModel, settle(doc, 'completed', now), now) };
  });
}

const UNITS = { data: 'octets', voice: 'seconds', sms: 'events' } as const;

/** POST bucket (admin): a bucket on the charging account of `partyAccount`, or standalone; returns its id. */
export async function createBucket(deps: ActionDeps, body: z.infer<typeof bucketCreateSchema>, now: Date): Promise<string> {
  const type = bucketTypeOf(body.usageType);
  if (!type) throw unprocessable('usageType: buckets hold monetary, voice, data or sms');
  const amount = body.remainingValue ? parseQuantityAmount(body.remainingValue.amount) : money(0);
  if (amount.lt(0)) throw badRequest('remainingValue.amount: must not be negative');
  const creditLimit = body.creditLimit ? parseQuantityAmount(body.creditLimit.amount) : undefined;
  if (creditLimit && (type !== 'money' || creditLimit.lt(0))) throw badRequest('creditLimit: a money bucket may have a credit limit of zero or more');
  const id = randomUUID();
  return deps.knex.transaction(async (trx) => {
    let accountId: string;
    let currency: string;
    if (body.partyAccount) {
      const account = await chargingAccountOfBillingAccount(trx, body.partyAccount.id);
      if (!account) throw unprocessable(`partyAccount: billing account ${body.partyAccount.id} has no prepaid charging account`);
      [accountId, currency] = [account.id, account.currency];
    } else {
      currency = type === 'money' ? (body.remainingValue?.units ?? 'EUR').toUpperCase() : 'EUR';
      accountId = await openStandaloneAccount(trx, { bucketId: id, currency, now });
    }
    const unit = type === 'money' ? currency : UNITS[type];
    if (body.remainingValue && !sameUnits(body.remainingValue.units, unit)) throw unprocessable(`remainingValue.units: this bucket holds ${unit}`);
    const validFrom = body.validFor?.startDateTime ? new Date(body.validFor.startDateTime) : now;
    const validUntil = body.validFor?.endDateTime ? new Date(body.validFor.endDateTime) : undefined;
    if (validUntil && validUntil <= validFrom) throw badRequest('validFor: ends before it starts');
    return insertPrepayBucket(trx, {
      id,
      chargingAccountId: accountId,
      type,
      unit,
      amount: amount.toFixed(),
      creditLimit: creditLimit?.toFixed(),
      priority: type === 'money' ? 100 : 10,
      validFrom,
      validUntil,
      now,
    });
  });
}

/**
 * PATCH reserveBalance `{"status": "cancelled"}`: gives back what a reservation still holds, at
 * once (a second cancel changes nothing). Nothing else of a reservation changes afterwards.
 */
export async function cancelReservation(deps: ActionDeps, scope: { customerId?: string }, id: string, patch: Record<string, unknown>, now: Date): Promise<TmfDocument> {
  const { reason, ...rest } = patch;
  if (rest.status !== 'cancelled' || Object.keys(rest).length !== 1 || (reason !== undefined && typeof reason !== 'string')) {
    throw badRequest('status: a reservation is only changed by cancelling it ({"status": "cancelled", "reason": "…"})');
  }
  return deps.knex.transaction(async (trx) => {
    const before = await findResource(trx, reserveBalanceModel.table, id, { forUpdate: true, scope });
    if (!before) throw notFound(`ReserveBalance ${id}`);
    if (before.status === 'cancelled') return before;
    if (before.status !== 'completed') throw new TmfError(409, 'Conflict', `a ${String(before.status)} reservation holds nothing to cancel`);
    await releaseReservationHold(trx, id, now);
    return (await patchTmfResource(trx, reserveBalanceModel, id, { status: 'cancelled', releaseDate: now.toISOString(), ...(reason ? { cancellationReason: reason } : {}) }, now))!;
  });
}
