/**
 * Postpaid billing inputs that orders create: subscriptions (what was sold, at which version and
 * price, from which date) and one-time charges for the next bill. Keyed by order and product, so
 * a retried creation changes nothing. The billing cycle reads them.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './knex';

export interface NewSubscription {
  billingAccountId: string;
  customerId: string;
  orderId: string;
  productKey: string;
  productId?: string;
  offeringId: string;
  offeringVersion: string;
  prices: unknown[];
  /** The number of a mobile product (usage records name it). */
  msisdn?: string;
  /** Allowances per bill cycle: dataOctets, voiceSeconds, smsEvents (integer strings or 'unlimited'). */
  allowances?: { dataOctets?: string; voiceSeconds?: string; smsEvents?: string };
  /** Calendar date in the account's time zone (proration starts here). */
  startDate: string;
  now: Date;
}

export async function createSubscription(db: Db, s: NewSubscription): Promise<void> {
  await db('billing_subscription')
    .insert({
      id: randomUUID(),
      billing_account_id: s.billingAccountId,
      customer_id: s.customerId,
      order_id: s.orderId,
      product_key: s.productKey,
      product_id: s.productId ?? null,
      offering_id: s.offeringId,
      offering_version: s.offeringVersion,
      prices: JSON.stringify(s.prices),
      msisdn: s.msisdn ?? null,
      allowances: JSON.stringify(s.allowances ?? {}),
      start_date: s.startDate,
      status: 'active',
      created_at: s.now,
    })
    .onConflict(['order_id', 'product_key'])
    .ignore();
}

export interface NewOneTimeCharge {
  billingAccountId: string;
  orderId: string;
  productKey: string;
  priceId: string;
  priceVersion: string;
  description: string;
  net: string;
  tax: string;
  taxRate: string;
  currency: string;
}

export async function queueOneTimeCharges(db: Db, charges: NewOneTimeCharge[], now: Date): Promise<void> {
  if (!charges.length) return;
  await db('billing_one_time_charge')
    .insert(
      charges.map((c) => ({
        id: randomUUID(),
        billing_account_id: c.billingAccountId,
        order_id: c.orderId,
        product_key: c.productKey,
        price_id: c.priceId,
        price_version: c.priceVersion,
        description: c.description,
        net: c.net,
        tax: c.tax,
        tax_rate: c.taxRate,
        currency: c.currency,
        status: 'pending',
        created_at: now,
      })),
    )
    .onConflict(['order_id', 'product_key', 'price_id'])
    .ignore();
}

/** Compensation: the order's subscriptions and unbilled charges no longer count. */
export async function voidOrderBilling(db: Db, orderId: string): Promise<void> {
  await db('billing_subscription').where({ order_id: orderId }).update({ status: 'voided' });
  await db('billing_one_time_charge').where({ order_id: orderId, status: 'pending' }).update({ status: 'voided' });
}

/** A plan change: the old subscription ends on `effectiveDate`, the new plan starts that day. */
export interface PlanChange {
  /** Business key of the change (e.g. the modify order's id): recording it twice changes nothing. */
  changeId: string;
  subscriptionId: string;
  /** Calendar date in the account's time zone: the last bill prorates both plans around it. */
  effectiveDate: string;
  offeringId: string;
  offeringVersion: string;
  prices: unknown[];
  /** The new plan's allowances per bill cycle; absent: the old plan's are kept. */
  allowances?: { dataOctets?: string; voiceSeconds?: string; smsEvents?: string };
  now: Date;
}

/**
 * Records a plan change on billing_subscription: ends the old subscription the day the new one
 * starts (both prorated by the next bill). Returns the new subscription's id, or undefined when
 * the old one is not an active subscription. Idempotent by (changeId, product).
 */
export async function recordPlanChange(db: Db, c: PlanChange): Promise<string | undefined> {
  const old = await db('billing_subscription').where({ id: c.subscriptionId }).first();
  if (!old || (old.status !== 'active' && old.status !== 'suspended')) return undefined;
  const existing = await db('billing_subscription').where({ order_id: c.changeId, product_key: old.product_key }).first();
  if (existing) return String(existing.id);
  const id = randomUUID();
  await db('billing_subscription').where({ id: c.subscriptionId }).update({ end_date: c.effectiveDate, status: 'terminated' });
  await db('billing_subscription').insert({
    id,
    billing_account_id: old.billing_account_id,
    customer_id: old.customer_id,
    order_id: c.changeId,
    product_key: old.product_key,
    product_id: old.product_id,
    offering_id: c.offeringId,
    offering_version: c.offeringVersion,
    prices: JSON.stringify(c.prices),
    // The number stays with the line: offline charging finds the new subscription by it.
    msisdn: old.msisdn,
    allowances: JSON.stringify(c.allowances ?? old.allowances ?? {}),
    start_date: c.effectiveDate,
    status: old.status,
    created_at: c.now,
  });
  return id;
}

/** A subscription as the billing cycle reads it. */
export interface BillingSubscription {
  id: string;
  orderId: string;
  productKey: string;
  productId: string | null;
  offeringId: string;
  prices: unknown[];
  startDate: string;
  endDate: string | null;
  status: 'active' | 'suspended' | 'terminated' | 'voided';
}

/** The account's subscriptions that have not been voided, oldest first. */
export async function subscriptionsOfAccount(db: Db, billingAccountId: string): Promise<BillingSubscription[]> {
  const rows = await db('billing_subscription')
    .where({ billing_account_id: billingAccountId })
    .whereNot({ status: 'voided' })
    .select(subscriptionColumns(db))
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return rows.map(subscriptionFromRow);
}

/** The columns subscriptionFromRow reads, its dates as calendar text (no time zone in between). */
export const subscriptionColumns = (db: Db) => ['*', db.raw(`to_char(start_date, 'YYYY-MM-DD') as start_text`), db.raw(`to_char(end_date, 'YYYY-MM-DD') as end_text`)];

/** A billing_subscription row selected with subscriptionColumns. */
export function subscriptionFromRow(r: Record<string, unknown>): BillingSubscription {
  return {
    id: r.id as string,
    orderId: r.order_id as string,
    productKey: r.product_key as string,
    productId: (r.product_id as string | null) ?? null,
    offeringId: r.offering_id as string,
    prices: r.prices as unknown[],
    startDate: r.start_text as string,
    endDate: (r.end_text as string | null) ?? null,
    status: r.status as BillingSubscription['status'],
  };
}

/** Dunning: the account's live subscriptions are suspended, or active again. */
export async function setAccountSubscriptionsSuspended(db: Db, billingAccountId: string, suspended: boolean): Promise<number> {
  return db('billing_subscription')
    .where({ billing_account_id: billingAccountId, status: suspended ? 'active' : 'suspended' })
    .update({ status: suspended ? 'suspended' : 'active' });
}

/** Ends every live subscription of the account on `endDate` (the final bill prorates to it). */
export async function terminateAccountSubscriptions(db: Db, billingAccountId: string, endDate: string): Promise<number> {
  return db('billing_subscription')
    .where({ billing_account_id: billingAccountId })
    .whereIn('status', ['active', 'suspended'])
    .update({ status: 'terminated', end_date: db.raw('coalesce(end_date, ?::date)', [endDate]) });
}

/** The live (active or suspended) subscription of a product, if it has one. */
export async function liveSubscriptionOfProduct(db: Db, productId: string): Promise<BillingSubscription | undefined> {
  const row = await db('billing_subscription').where({ product_id: productId }).whereIn('status', ['active', 'suspended']).select(subscriptionColumns(db)).orderBy('created_at', 'desc').first();
  return row ? subscriptionFromRow(row) : undefined;
}

/**
 * Ends a product's live subscriptions on `endDate` (the next bill prorates to it); returns how
 * many live subscriptions the account has left. A retry ends nothing more.
 */
export async function endProductSubscriptions(db: Db, billingAccountId: string, productId: string, endDate: string): Promise<{ ended: number; liveLeft: number }> {
  const ended = await db('billing_subscription')
    .where({ billing_account_id: billingAccountId, product_id: productId })
    .whereIn('status', ['active', 'suspended'])
    .update({ status: 'terminated', end_date: db.raw('coalesce(end_date, ?::date)', [endDate]) });
  const [{ n }] = await db('billing_subscription').where({ billing_account_id: billingAccountId }).whereIn('status', ['active', 'suspended']).count({ n: '*' });
  return { ended, liveLeft: Number(n) };
}
