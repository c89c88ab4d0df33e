/**
 * Prepay balance management on the charging buckets: credits, adjustments, reservations and their
 * releases, and the expiry of allowances. Each change locks the bucket row (as the charging engine
 * does), changes `balance` or `reserved`, and appends a charging_ledger row in the same
 * transaction, so that for every bucket balance = initial + credits − debits and
 * reserved = reservations − releases. Each change is keyed by a reference (`topup:<id>`,
 * `adjustment:<id>`, `reservation:<id>`, `expiry:<bucketId>`, then `expiry:<bucketId>:<n>` for what a session gives back after the end) and happens once per reference.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { money, type Money } from '../domain/money';
import type { BucketType } from './charging';
import type { Db } from './knex';

/** A charging bucket with what its account says about it. */
export interface PrepayBucket {
  id: string;
  chargingAccountId: string;
  customerId: string;
  billingAccountId: string;
  accountStatus: string;
  currency: string;
  type: BucketType;
  unit: string;
  initial: string;
  balance: string;
  reserved: string;
  creditLimit: string | null;
  priority: number;
  validFrom: Date;
  validUntil: Date | null;
  createdAt: Date;
  /** The one line that draws on it, or null: every line of its account. */
  ownerMsisdn: string | null;
}

export type LedgerKind = 'credit' | 'debit' | 'reservation' | 'release';

const BUCKET_COLUMNS = [
  'b.id',
  'b.charging_account_id',
  'b.bucket_type',
  'b.unit',
  'b.initial',
  'b.balance',
  'b.reserved',
  'b.credit_limit',
  'b.priority',
  'b.valid_from',
  'b.valid_until',
  'b.created_at',
  'b.owner_msisdn',
  'a.customer_id',
  'a.billing_account_id',
  'a.status as account_status',
  'a.currency',
];

/** Maps a row of bucketQuery. */
export function toPrepayBucket(r: Record<string, unknown>): PrepayBucket {
  return {
    id: r.id as string,
    chargingAccountId: r.charging_account_id as string,
    customerId: r.customer_id as string,
    billingAccountId: r.billing_account_id as string,
    accountStatus: r.account_status as string,
    currency: r.currency as string,
    type: r.bucket_type as BucketType,
    unit: r.unit as string,
    initial: String(r.initial),
    balance: String(r.balance),
    reserved: String(r.reserved),
    creditLimit: r.credit_limit === null || r.credit_limit === undefined ? null : String(r.credit_limit),
    priority: Number(r.priority),
    validFrom: new Date(r.valid_from as string),
    validUntil: r.valid_until ? new Date(r.valid_until as string) : null,
    createdAt: new Date(r.created_at as string),
    ownerMsisdn: (r.owner_msisdn as string | null) ?? null,
  };
}

/** Buckets joined with their accounts, for reading (filter and page on top of it). */
export function bucketQuery(db: Db) {
  return db({ b: 'charging_bucket' }).join({ a: 'charging_account' }, 'a.id', 'b.charging_account_id').select(BUCKET_COLUMNS);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A bucket by id, or undefined (also for ids that are not UUIDs). */
export async function findPrepayBucket(db: Db, id: string): Promise<PrepayBucket | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await bucketQuery(db).where('b.id', id).first();
  return row ? toPrepayBucket(row) : undefined;
}

/** The bucket, its row locked for the rest of the transaction (the engine's order: bucket rows only). */
export async function lockPrepayBucket(trx: Knex.Transaction, id: string): Promise<PrepayBucket | undefined> {
  if (!UUID.test(id)) return undefined;
  const locked = await trx('charging_bucket').where({ id }).forUpdate().first('id');
  return locked ? findPrepayBucket(trx, id) : undefined;
}

/** The money bucket of a billing account's charging account that top-ups go to (cash, lowest priority first). */
export async function moneyBucketOfBillingAccount(db: Db, billingAccountId: string): Promise<string | undefined> {
  const row = await bucketQuery(db)
    .where({ 'a.billing_account_id': billingAccountId, 'b.bucket_type': 'money' })
    .orderBy([{ column: 'b.priority' }, { column: 'b.created_at' }])
    .first();
  return row?.id;
}

/** What may still be spent: balance − reserved + credit limit (a missing limit is zero). */
export function availableOf(bucket: Pick<PrepayBucket, 'balance' | 'reserved' | 'creditLimit'>): Money {
  return money(bucket.balance).minus(bucket.reserved).plus(bucket.creditLimit ?? 0);
}

/** Whether a change with this reference is already in the bucket's ledger. */
export async function ledgerHasReference(db: Db, bucketId: string, kind: LedgerKind, reference: string): Promise<boolean> {
  return !!(await db('charging_ledger').where({ bucket_id: bucketId, kind, reference }).first('id'));
}

/**
 * Applies one ledger entry to a bucket locked by the caller: credit/debit move `balance`,
 * reservation/release move `reserved`. Returns false (and changes nothing) when the reference
 * was already applied to this bucket.
 */
export async function applyLedgerEntry(
  trx: Knex.Transaction,
  e: { bucketId: string; kind: LedgerKind; amount: string; reference: string; now: Date },
): Promise<boolean> {
  if (money(e.amount).lte(0)) throw new Error(`a ledger amount is positive, got ${e.amount}`);
  if (await ledgerHasReference(trx, e.bucketId, e.kind, e.reference)) return false;
  await trx('charging_ledger').insert({ bucket_id: e.bucketId, kind: e.kind, amount: e.amount, reference: e.reference, created_at: e.now });
  const column = e.kind === 'credit' || e.kind === 'debit' ? 'balance' : 'reserved';
  const sign = e.kind === 'credit' || e.kind === 'reservation' ? '+' : '-';
  await trx('charging_bucket')
    .where({ id: e.bucketId })
    .update({ [column]: trx.raw(`?? ${sign} ?::numeric`, [column, e.amount]) });
  return true;
}

/** A new bucket (TMF654 POST bucket), with no ledger entry: its balance is its initial value. */
export async function insertPrepayBucket(
  trx: Knex.Transaction,
  b: { id?: string; chargingAccountId: string; type: BucketType; unit: string; amount: string; creditLimit?: string; priority: number; validFrom: Date; validUntil?: Date; ownerMsisdn?: string; now: Date },
): Promise<string> {
  const id = b.id ?? randomUUID();
  await trx('charging_bucket').insert({
    id,
    charging_account_id: b.chargingAccountId,
    bucket_type: b.type,
    unit: b.unit,
    initial: b.amount,
    balance: b.amount,
    credit_limit: b.creditLimit ?? null,
    priority: b.priority,
    valid_from: b.validFrom,
    valid_until: b.validUntil ?? null,
    origin: `tmf654:bucket:${id}`,
    owner_msisdn: b.ownerMsisdn ?? null,
    created_at: b.now,
  });
  return id;
}

/** The charging account of a billing account, if it has one. */
export async function chargingAccountOfBillingAccount(db: Db, billingAccountId: string): Promise<{ id: string; customerId: string; currency: string } | undefined> {
  const row = await db('charging_account').where({ billing_account_id: billingAccountId }).orderBy('created_at').first();
  return row && { id: row.id, customerId: row.customer_id, currency: row.currency };
}

/**
 * An account of its own for a bucket created without one (no customer, no billing account yet):
 * a standalone balance nobody draws on until it is assigned.
 */
export async function openStandaloneAccount(trx: Knex.Transaction, a: { bucketId: string; currency: string; now: Date }): Promise<string> {
  const id = randomUUID();
  await trx('charging_account').insert({
    id,
    customer_id: '',
    billing_account_id: '',
    currency: a.currency,
    status: 'active',
    origin: `tmf654:bucket:${a.bucketId}`,
    created_at: a.now,
  });
  return id;
}

/** The money an account can spend now: its valid money buckets' balance less what is reserved. */
export async function moneyBalanceOfAccount(db: Db, chargingAccountId: string, now: Date): Promise<string> {
  const row = await db('charging_bucket')
    .where({ charging_account_id: chargingAccountId, bucket_type: 'money' })
    .andWhere('valid_from', '<=', now)
    .andWhere((q) => void q.whereNull('valid_until').orWhere('valid_until', '>', now))
    .first(db.raw('coalesce(sum(balance - reserved), 0) AS balance'));
  return money(String(row?.balance ?? '0')).toFixed();
}
