/**
 * Prepaid charging accounts as orders create them: one account per prepaid billing account, a
 * subscriber per number, and buckets per ordered service. Every insert is keyed by its origin,
 * so a retried creation changes nothing. The charging engine owns the balances from then on.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { PrepaidAllowances } from '../domain/ordering/plan';
import type { Db } from './knex';
import { applyLedgerEntry, lockPrepayBucket } from './prepay-balance';

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
  /** The one line that may draw on it; none: every line of the account. */
  ownerMsisdn?: string;
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
      ...(b.ownerMsisdn !== undefined ? { owner_msisdn: b.ownerMsisdn } : {}),
      created_at: b.validFrom,
    })
    .onConflict('origin')
    .ignore();
}

/** Allowances are used before cash. */
const ALLOWANCE_PRIORITY = 10;

/**
 * Loads a line's plan allowances (data, voice, SMS) as buckets of that line (`msisdn`), valid from
 * `now` for the plan's period, each once per origin (`originOf(type)`); 'unlimited' needs no bucket
 * (the tariff rates it at zero). Other lines of a shared account do not draw on them.
 */
export async function addAllowanceBuckets(db: Db, a: { chargingAccountId: string; msisdn: string; allowances: PrepaidAllowances; originOf: (type: 'data' | 'voice' | 'sms') => string; now: Date }): Promise<void> {
  const { periodDays } = a.allowances;
  const validUntil = periodDays ? new Date(a.now.getTime() + periodDays * 86_400_000) : undefined;
  const amounts = { data: a.allowances.dataOctets, voice: a.allowances.voiceSeconds, sms: a.allowances.smsEvents } as const;
  for (const [type, amount] of Object.entries(amounts) as Array<[keyof typeof amounts, string | undefined]>) {
    if (!amount || amount === 'unlimited') continue;
    await addBucket(db, { chargingAccountId: a.chargingAccountId, origin: a.originOf(type), type, unit: BUCKET_UNITS[type], amount, priority: ALLOWANCE_PRIORITY, validFrom: a.now, validUntil, ownerMsisdn: a.msisdn });
  }
}

/** Undoes what an order added: its unused buckets go, its numbers stop drawing on the account. */
export async function removeOrderCharging(db: Db, orderId: string, msisdns: string[], now: Date): Promise<void> {
  const buckets = db('charging_bucket').where('origin', 'like', `order:${orderId}:%`);
  await db('charging_bucket').whereIn('id', buckets.clone().select('id')).whereNotExists(db('charging_ledger').whereRaw('charging_ledger.bucket_id = charging_bucket.id')).delete();
  await closeChargingSubscribers(db, msisdns, now);
}

/** Buckets of an account, for reading. */
export async function bucketsOfAccount(db: Db, chargingAccountId: string) {
  return db('charging_bucket').where({ charging_account_id: chargingAccountId }).orderBy([{ column: 'priority' }, { column: 'created_at' }]);
}

/** `LIKE` pattern of an origin prefix (its own % and _ taken literally). */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** An allowance bucket whose validity a plan change ended, with the validity it had (to restore it). */
export interface EndedAllowance {
  id: string;
  validUntil: string | null;
}

/**
 * Ends, at `now`, the allowance buckets (not money) still valid whose origin starts with one of
 * `originPrefixes` (a line's buckets: `order:<orderId>:<itemId>:`). Prepay housekeeping then
 * debits what is left of them, as for any expired allowance. Returns what it ended.
 */
export async function endAllowances(db: Db, originPrefixes: string[], now: Date): Promise<EndedAllowance[]> {
  if (!originPrefixes.length) return [];
  const live = await db('charging_bucket')
    .whereNot({ bucket_type: 'money' })
    .where((q) => originPrefixes.forEach((p) => q.orWhereRaw(`origin LIKE ? ESCAPE '\\'`, [likePrefix(p)])))
    .where((q) => q.whereNull('valid_until').orWhere('valid_until', '>', now))
    .select('id', 'valid_until');
  for (const b of live) await db('charging_bucket').where({ id: b.id }).update({ valid_until: now });
  return live.map((b: { id: string; valid_until: Date | null }) => ({ id: b.id, validUntil: b.valid_until ? b.valid_until.toISOString() : null }));
}

/**
 * Compensation of endAllowances: the buckets get back the validity they had, and what prepay
 * housekeeping debited of them meanwhile as expired (`expiry:<id>…`; the bucket was valid when
 * ended, so every such debit came of that end) is credited back, once per debit
 * (`unexpiry:<its reference>`), under the bucket's lock.
 */
export async function restoreAllowances(trx: Knex.Transaction, ended: EndedAllowance[], now: Date): Promise<void> {
  for (const b of ended) {
    if (!(await lockPrepayBucket(trx, b.id))) continue;
    const expiries = await trx('charging_ledger')
      .where({ bucket_id: b.id, kind: 'debit' })
      .andWhere((q) => q.where('reference', `expiry:${b.id}`).orWhere('reference', 'like', `expiry:${b.id}:%`))
      .select('reference', trx.raw('amount::text AS amount'));
    for (const e of expiries) await applyLedgerEntry(trx, { bucketId: b.id, kind: 'credit', amount: e.amount, reference: `unexpiry:${e.reference}`, now });
    await trx('charging_bucket').where({ id: b.id }).update({ valid_until: b.validUntil });
  }
}

/**
 * The numbers stop drawing on their charging accounts (their lines were terminated, or their order
 * undone), and their own allowances still valid end now: no other line may draw on them, and the
 * number, given to someone else later, must not find them (housekeeping then debits what is left,
 * as for any expired allowance).
 */
export async function closeChargingSubscribers(db: Db, msisdns: string[], now: Date): Promise<void> {
  if (!msisdns.length) return;
  await db('charging_subscriber').whereIn('msisdn', msisdns).update({ status: 'closed' });
  await db('charging_bucket')
    .whereIn('owner_msisdn', msisdns)
    .where((q) => q.whereNull('valid_until').orWhere('valid_until', '>', now))
    .update({ valid_until: now });
}
