/**
 * What the writes of TMF654 share (api/prepay-topup.ts, prepay-adjustment.ts, prepay-reservation.ts,
 * prepay-bucket-create.ts). Each write locks the bucket, checks the rules, changes the balance with
 * its ledger entry and stores the action, in one transaction. A rule broken on a bucket we hold is refused (4xx, nothing changes). An action
 * naming a bucket we do not hold is recorded `failed` with the reason (201), as the spec's
 * failure events describe: the TMF654 conformance kit acts on a bucket `11` no server holds.
 */
import type { Knex } from 'knex';
import type { PrepayBucket } from '../db/prepay-balance';
import type { ActionStatus } from '../db/prepay-models';
import { resourceHref, type TmfDocument } from '../db/tmf-resources';
import { insertTmfDocument, type TmfModel } from '../db/tmf-store';
import type { Money } from '../domain/money';
import { bucketStatusOf, parseQuantityAmount, sameUnits, toQuantity } from '../domain/prepay/quantity';
import type { Principal } from './auth';
import { badRequest, notFound, TmfError } from './tmf/errors';
import type { CardTopUpInput } from '../activities/prepay/top-up';

export interface ActionDeps {
  knex: Knex;
  publicUrl: string;
  /** Default low-balance threshold: a credit that lifts an account to it arms the notice again. */
  lowBalanceThreshold: string;
}


/** 422: a rule of the balance refuses the request. */
export const unprocessable = (message: string) => new TmfError(422, 'Unprocessable Entity', message);
/** A caller with only the customer role. */
export const isCustomer = (p: Principal) => p.roles.every((r) => r === 'customer');

/** A Quantity amount that must be above zero (400 otherwise). */
export function positiveAmount(amount: { amount: number | string } | undefined, name = 'amount.amount'): Money | undefined {
  if (!amount) return undefined;
  const value = parseQuantityAmount(amount.amount);
  if (value.lte(0)) throw badRequest(`${name}: must be greater than zero`);
  return value;
}

/** The customer of a bucket as a RelatedParty. */
const customerRef = (publicUrl: string, customerId: string) => ({
  id: customerId,
  href: `${publicUrl}/tmf-api/customerManagement/v4/customer/${customerId}`,
  role: 'customer',
  '@referredType': 'Customer',
});

/** The caller's parties, with the bucket's customer first (the owner) and no other customer. */
export function partiesFor(publicUrl: string, bucket: PrepayBucket, given: Array<Record<string, unknown>> | undefined) {
  const others = (given ?? []).filter((p) => String(p.role ?? '').toLowerCase() !== 'customer' && p['@referredType'] !== 'Customer');
  return bucket.customerId ? [customerRef(publicUrl, bucket.customerId), ...others] : others;
}

/** 422 for an expired or suspended bucket. */
export function throwIfNotUsable(bucket: PrepayBucket, now: Date): void {
  const status = bucketStatusOf(bucket, now);
  if (status !== 'active') throw unprocessable(`bucket ${bucket.id} is ${status}`);
}

/** 403 when a customer acts on a bucket not its own. */
export function throwIfOtherCustomer(principal: Principal, bucket: PrepayBucket): void {
  if (isCustomer(principal) && bucket.customerId !== principal.customerId) throw new TmfError(403, 'Forbidden', 'a customer may only act on its own buckets');
}

/** 422 when the amount is not in the bucket's units. */
export function throwIfOtherUnits(units: string, bucket: PrepayBucket): void {
  if (!sameUnits(units, bucket.unit)) throw unprocessable(`amount.units: bucket ${bucket.id} holds ${bucket.unit}, not ${units}`);
}

/** A stored action, and the card top-up to start when it is one. */
export interface Stored {
  doc: TmfDocument;
  cardTopUp?: CardTopUp;
  /** Stored by an earlier request with the same Idempotency-Key (answered 200, not 201). */
  repeated?: boolean;
}

/** The action document every kind shares: the request as sent, with what the server owns. */
export function actionDocument(model: TmfModel, publicUrl: string, body: Record<string, unknown>, id: string, now: Date): TmfDocument {
  const amount = body.amount as { amount: number | string; units: string } | undefined;
  // Stored and answered as the spec writes it: a JSON number, whichever form the client used.
  if (amount) body = { ...body, amount: { ...amount, ...toQuantity(parseQuantityAmount(amount.amount), amount.units) } };
  return { ...body, id, href: resourceHref(publicUrl, model.apiName, model.name, id), '@type': body['@type'] ?? model.type, requestedDate: now.toISOString() };
}

/** The action with its outcome: status, confirmationDate when completed, the reason when not. */
export function settle(doc: TmfDocument, status: ActionStatus, now: Date, reason?: string): TmfDocument {
  const settled: TmfDocument = { ...doc, status };
  if (status === 'completed') settled.confirmationDate = now.toISOString();
  if (reason) settled.statusReason = reason;
  return settled;
}

/**
 * A bucket reference that names nothing we hold: staff's action is recorded failed. A customer
 * acts on buckets it can see only, so for a customer it is not found (and nothing is stored that
 * could name another customer in its relatedParty).
 */
export async function recordUnknownBucket(trx: Knex.Transaction, principal: Principal, model: TmfModel, doc: TmfDocument, what: string, now: Date): Promise<Stored> {
  if (isCustomer(principal)) throw notFound(what);
  return { doc: await insertTmfDocument(trx, model, settle(doc, 'failed', now, `${what} not found`), now) };
}

/** What the API starts after a card top-up is stored (the workflow `topup-<id>`). */
export type CardTopUp = CardTopUpInput;
