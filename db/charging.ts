/**
 * Prepaid charging accounts as orders create them: one account per prepaid billing account, a
 * subscriber per number, and buckets per ordered service. Every insert is keyed by its origin,
 * so a retried creation changes nothing. The charging engine owns the balances from then on.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './knex';

export type BucketType = 'money' | 'data' | 'voice' | 'sms';

export const BUCKET_UNITS: Record<Exclude<BucketType, 'money'>, string> = { data: 'octets', voice: 'seconds', sms: 'events' };

/** The charging account of a billing account, created on first use; returns its id. */
export async function openChargingAccount(db: Db, a: { customerId: string; billingAccountId: string; currency: string; now: Date }): Promise<string> {
  const origin = `billingAccount:${a.billingAccountId}`;
  await db('charging_account')
    .insert({ id: randomUUID(), customer_id: a.customerId, billing_account_id: a.billingAccountId, currency: a.currency, status: 'active', origin, created_at: a.now })
    .onConflict('origin')
    .ignore();
  return (await db('charging_account').where({ origin }).first('id')).id;
}

/** Lets a number draw on an account. */
export async function addChargingSubscriber(db: Db, s: { msisdn: string; imsi: string; chargingAccountId: string; productId?: string; now: Date }): Promise<void> {
  await db('charging_subscriber')
    .insert({ msisdn: s.msisdn, imsi: s.imsi, charging_account_id: s.chargingAccountId, product_id: s.productId ?? null, status: 'active', created_at: s.now })
    .onConflict('msisdn')
    .merge(['charging_account_id', 'imsi', 'product_id', 'status']);
}

export interface NewBucket {
  chargingAccountId: string;
  origin: string;
  type: BucketType;
  /** Currency for money; octets, seconds or events otherwise. */
  unit: string;
  amount: string;
  /** Lower is used first: allowances (10) before cash (100). */
  priority: number;
  validFrom: Date;
  validUntil?: Date;
}

/** Adds a bucket once per origin. */
export async function addBucket(db: Db, b: NewBucket): Promise<void> {
  await db('charging_bucket')
    .insert({
      id: randomUUID(),
      charging_account_id: b.chargingAccountId,
      bucket_type: b.type,
      unit: b.unit,
      initial: b.amount,
      balance: b.amount,
      priority: b.priority,
      valid_from: b.validFrom,
      valid_until: b.validUntil ?? null,
      origin: b.origin,
      created_at: b.validFrom,
    })
    .onConflict('origin')
    .ignore();
}

/** Undoes what an order added: its unused buckets go, its numbers stop drawing on the account. */
export async function removeOrderCharging(db: Db, orderId: string, msisdns: string[]): Promise<void> {
  const buckets = db('charging_bucket').where('origin', 'like', `order:${orderId}:%`);
  await db('charging_bucket').whereIn('id', buckets.clone().select('id')).whereNotExists(db('charging_ledger').whereRaw('charging_ledger.bucket_id = charging_bucket.id')).delete();
  if (msisdns.length) await db('charging_subscriber').whereIn('msisdn', msisdns).update({ status: 'closed' });
}

/** Buckets of an account, for reading. */
export async function bucketsOfAccount(db: Db, chargingAccountId: string) {
  return db('charging_bucket').where({ charging_account_id: chargingAccountId }).orderBy([{ column: 'priority' }, { column: 'created_at' }]);
}
