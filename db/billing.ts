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
