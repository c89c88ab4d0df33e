/**
 * What prepay housekeeping does to balances outside the charging hot path: releases TMF654
 * reservations past their end, empties allowance buckets past their validity (a ledger debit of
 * the remainder, once per bucket), and finds the accounts whose money balance fell below their
 * low-balance threshold while the notice was armed.
 */
import type { Knex } from 'knex';
import { money } from '../domain/money';
import type { Db } from './knex';
import { applyLedgerEntry, lockPrepayBucket } from './prepay-balance';

/** Limits a housekeeping run to some accounts (operations on one customer, tests). */
export interface AccountScope {
  chargingAccountIds: string[];
}

/** Holds a reservation on a bucket locked by the caller until `expiresAt`. */
export async function insertReservationHold(trx: Knex.Transaction, h: { reservationId: string; bucketId: string; amount: string; expiresAt: Date; now: Date }): Promise<void> {
  await trx('prepay_reservation_hold').insert({
    reservation_id: h.reservationId,
    bucket_id: h.bucketId,
    amount: h.amount,
    state: 'held',
    expires_at: h.expiresAt,
    created_at: h.now,
  });
}

/** Releases one held reservation (locks its bucket); false when it was no longer held. */
export async function releaseReservationHold(trx: Knex.Transaction, reservationId: string, now: Date): Promise<boolean> {
  const hold = await trx('prepay_reservation_hold').where({ reservation_id: reservationId }).first();
  if (!hold) return false;
  await lockPrepayBucket(trx, hold.bucket_id);
  const released = await trx('prepay_reservation_hold').where({ reservation_id: reservationId, state: 'held' }).update({ state: 'released', released_at: now });
  if (!released) return false;
  await applyLedgerEntry(trx, { bucketId: hold.bucket_id, kind: 'release', amount: String(hold.amount), reference: `reservation:${reservationId}`, now });
  return true;
}

/** Reservations still held after their end. */
export async function dueReservationHolds(db: Db, now: Date, only?: AccountScope, limit = 500): Promise<string[]> {
  const query = db('prepay_reservation_hold').where({ state: 'held' }).andWhere('expires_at', '<=', now).orderBy('expires_at').limit(limit).select('reservation_id');
  if (only) void query.whereIn('bucket_id', db('charging_bucket').whereIn('charging_account_id', only.chargingAccountIds).select('id'));
  const rows = await query;
  return rows.map((r) => r.reservation_id as string);
}

/**
 * Allowance buckets past their validity that still hold something unexpired: at their end, or
 * later when a session gives back units it had reserved on one before the end and did not use.
 */
export async function dueExpiredBuckets(db: Db, now: Date, only?: AccountScope, limit = 500): Promise<string[]> {
  const query = db('charging_bucket')
    .whereNot({ bucket_type: 'money' })
    .andWhere('valid_until', '<=', now)
    .andWhere('balance', '>', db.raw('reserved'))
    .orderBy('valid_until')
    .limit(limit)
    .select('id');
  if (only) void query.whereIn('charging_account_id', only.chargingAccountIds);
  const rows = await query;
  return rows.map((r) => r.id as string);
}

/**
 * Debits what is left of an expired allowance (balance − reserved: units the engine has granted
 * are left for it to settle, and what it gives back of them is expired by a later run); returns
 * the amount debited, or null. Each expiry of a bucket has its own reference (`expiry:<id>`, then
 * `expiry:<id>:2` …), counted under the bucket's lock, so a retried one debits nothing again.
 */
export async function expireBucket(trx: Knex.Transaction, bucketId: string, now: Date): Promise<string | null> {
  const bucket = await lockPrepayBucket(trx, bucketId);
  if (!bucket || bucket.type === 'money' || !bucket.validUntil || bucket.validUntil > now) return null;
  const remainder = money(bucket.balance).minus(bucket.reserved);
  if (remainder.lte(0)) return null;
  const [{ expiries }] = await trx('charging_ledger')
    .where({ bucket_id: bucketId, kind: 'debit' })
    .andWhere((q) => q.where('reference', `expiry:${bucketId}`).orWhere('reference', 'like', `expiry:${bucketId}:%`))
    .count<Array<{ expiries: string }>>({ expiries: '*' });
  const reference = Number(expiries) === 0 ? `expiry:${bucketId}` : `expiry:${bucketId}:${Number(expiries) + 1}`;
  const applied = await applyLedgerEntry(trx, { bucketId, kind: 'debit', amount: remainder.toFixed(), reference, now });
  return applied ? remainder.toFixed() : null;
}

/** An account whose money balance is under its threshold and whose notice is armed. */
export interface LowBalanceAccount {
  chargingAccountId: string;
  customerId: string;
  currency: string;
  balance: string;
  threshold: string;
  crossings: number;
}

/** The money balance of an account: what its valid money buckets hold, less what is reserved. */
const MONEY_BALANCE = `
  SELECT b.charging_account_id, sum(b.balance - b.reserved) AS balance
  FROM charging_bucket b
  WHERE b.bucket_type = 'money' AND b.valid_from <= :now AND (b.valid_until IS NULL OR b.valid_until > :now)
  GROUP BY b.charging_account_id`;

/** Active customer accounts below their threshold (their own, else `defaultThreshold`) with the notice armed. */
export async function armedAccountsBelowThreshold(db: Db, now: Date, defaultThreshold: string, only?: AccountScope, limit = 500): Promise<LowBalanceAccount[]> {
  const { rows } = (await db.raw(
    `SELECT a.id, a.customer_id, a.currency, m.balance, coalesce(l.threshold, CAST(:default AS numeric)) AS threshold, coalesce(l.crossings, 0) AS crossings
     FROM charging_account a
     JOIN (${MONEY_BALANCE}) m ON m.charging_account_id = a.id
     LEFT JOIN prepay_low_balance l ON l.charging_account_id = a.id
     WHERE a.status = 'active' AND a.customer_id <> '' AND coalesce(l.armed, true)
       AND (CAST(:all AS boolean) OR a.id = ANY(CAST(:only AS uuid[])))
       AND m.balance < coalesce(l.threshold, CAST(:default AS numeric))
     ORDER BY a.id LIMIT :limit`,
    { now, default: defaultThreshold, limit, all: !only, only: only?.chargingAccountIds ?? [] },
  )) as { rows: Array<Record<string, unknown>> };
  return rows.map((r) => ({
    chargingAccountId: r.id as string,
    customerId: r.customer_id as string,
    currency: r.currency as string,
    balance: money(String(r.balance)).toFixed(),
    threshold: money(String(r.threshold)).toFixed(),
    crossings: Number(r.crossings),
  }));
}

/**
 * Counts the `crossings`-th notice as sent and disarms it, unless the balance is back at or above
 * the threshold by now (a top-up while the notice went out, whose re-arming found it still armed):
 * then it stays armed for the next crossing. False if another run counted it first.
 */
export async function disarmLowBalance(db: Db, chargingAccountId: string, crossings: number, balance: string, now: Date, defaultThreshold: string): Promise<boolean> {
  await db('prepay_low_balance').insert({ charging_account_id: chargingAccountId }).onConflict('charging_account_id').ignore();
  const changed = await db.raw(
    `UPDATE prepay_low_balance l
     SET armed = coalesce((SELECT m.balance FROM (${MONEY_BALANCE}) m WHERE m.charging_account_id = l.charging_account_id) >= coalesce(l.threshold, CAST(:default AS numeric)), false),
         crossings = l.crossings + 1, notified_at = :now, notified_balance = :balance
     WHERE l.charging_account_id = :account AND l.armed AND l.crossings = :crossings`,
    { now, account: chargingAccountId, crossings, balance, default: defaultThreshold },
  );
  return (changed as { rowCount: number }).rowCount > 0;
}

/** Arms the notice again when the account's money balance is at or above its threshold (after a credit). */
export async function rearmLowBalance(db: Db, chargingAccountId: string, now: Date, defaultThreshold: string): Promise<boolean> {
  const changed = await db.raw(
    `UPDATE prepay_low_balance l SET armed = true
     FROM (${MONEY_BALANCE}) m
     WHERE l.charging_account_id = :account AND m.charging_account_id = l.charging_account_id AND NOT l.armed
       AND m.balance >= coalesce(l.threshold, CAST(:default AS numeric))`,
    { now, account: chargingAccountId, default: defaultThreshold },
  );
  return (changed as { rowCount: number }).rowCount > 0;
}

/** Sets an account's own threshold (null: the default). */
export async function setLowBalanceThreshold(db: Db, chargingAccountId: string, threshold: string | null): Promise<void> {
  await db('prepay_low_balance').insert({ charging_account_id: chargingAccountId, threshold }).onConflict('charging_account_id').merge(['threshold']);
}
