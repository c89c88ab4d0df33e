/**
 * The ledger invariant, checked for every bucket: balance = initial + credits − debits and
 * reserved = reservations − releases; what a bucket has reserved is held by someone (an open
 * session's reservations, a TMF654 reservation), so that none is left that nothing will release;
 * and every refund gives back exactly what its event was charged. Whatever differs is returned;
 * there must be nothing.
 */
import type pg from 'pg';

/** A bucket whose columns disagree with its ledger. */
export interface LedgerDifference {
  bucketId: string;
  chargingAccountId: string;
  balance: string;
  expectedBalance: string;
  reserved: string;
  expectedReserved: string;
}

const CHECK = `
SELECT b.id AS bucket_id, b.charging_account_id, b.balance::text AS balance, b.reserved::text AS reserved,
       (b.initial + coalesce(l.credits, 0) - coalesce(l.debits, 0))::text AS expected_balance,
       (coalesce(l.reservations, 0) - coalesce(l.releases, 0))::text AS expected_reserved
FROM charging_bucket b
LEFT JOIN (
  SELECT bucket_id,
         sum(amount) FILTER (WHERE kind = 'credit') AS credits,
         sum(amount) FILTER (WHERE kind = 'debit') AS debits,
         sum(amount) FILTER (WHERE kind = 'reservation') AS reservations,
         sum(amount) FILTER (WHERE kind = 'release') AS releases
  FROM charging_ledger GROUP BY bucket_id
) l ON l.bucket_id = b.id
WHERE b.balance <> b.initial + coalesce(l.credits, 0) - coalesce(l.debits, 0)
   OR b.reserved <> coalesce(l.reservations, 0) - coalesce(l.releases, 0)
ORDER BY b.charging_account_id, b.id`;

/** Every bucket whose balance or reserved amount differs from its ledger (one consistent snapshot). */
export async function reconcileLedger(db: pg.Pool | pg.PoolClient): Promise<LedgerDifference[]> {
  const { rows } = await db.query(CHECK);
  return (rows as Array<Record<string, string>>).map((r) => ({
    bucketId: r.bucket_id,
    chargingAccountId: r.charging_account_id,
    balance: r.balance,
    expectedBalance: r.expected_balance,
    reserved: r.reserved,
    expectedReserved: r.expected_reserved,
  }));
}

/** A bucket whose reserved amount is not what its holders hold. */
export interface HeldDifference {
  bucketId: string;
  chargingAccountId: string;
  reserved: string;
  /** What open sessions and held TMF654 reservations hold on it. */
  held: string;
}

const CHECK_HELD = `
WITH held AS (
  SELECT (r->>'bucketId')::uuid AS bucket_id, (r->>'amount')::numeric AS amount
  FROM charging_session s, json_array_elements(s.reservations::json) r
  WHERE s.state = 'open'
  UNION ALL
  SELECT bucket_id, amount FROM prepay_reservation_hold WHERE state = 'held'
), per_bucket AS (
  SELECT bucket_id, sum(amount) AS amount FROM held GROUP BY bucket_id
)
SELECT b.id AS bucket_id, b.charging_account_id, b.reserved::text AS reserved, round(coalesce(h.amount, 0), 6)::text AS held
FROM charging_bucket b LEFT JOIN per_bucket h ON h.bucket_id = b.id
WHERE b.reserved <> coalesce(h.amount, 0)
ORDER BY b.charging_account_id, b.id`;

/**
 * Every bucket whose reserved amount is not what its holders hold (one consistent snapshot): a
 * reservation held by no session is released by nothing (the ledger still adds up around it).
 */
export async function reconcileHolders(db: pg.Pool | pg.PoolClient): Promise<HeldDifference[]> {
  const { rows } = await db.query(CHECK_HELD);
  return (rows as Array<Record<string, string>>).map((r) => ({ bucketId: r.bucket_id, chargingAccountId: r.charging_account_id, reserved: r.reserved, held: r.held }));
}

/** A refunded event whose credits differ from what it was charged, in one bucket. */
export interface RefundDifference {
  /** The event's ledger reference (its Refund-Information). */
  reference: string;
  ratingGroup: number;
  bucketId: string;
  debited: string;
  credited: string;
}

/**
 * Every refund credit (reference `refund:` and the event's) against the event's debits on the
 * account that claimed the refund (`charging_refund`), per bucket: a refund gives back exactly what
 * was taken, where it was taken, and nothing is credited as a refund without its claim.
 */
const CHECK_REFUNDS = `
WITH credited AS (
  SELECT substr(l.reference, 8) AS reference, l.rating_group, l.bucket_id, sum(l.amount) AS amount
  FROM charging_ledger l WHERE l.kind = 'credit' AND l.reference LIKE 'refund:%'
  GROUP BY 1, 2, 3
), debited AS (
  SELECT l.reference, l.rating_group, l.bucket_id, sum(l.amount) AS amount
  FROM charging_refund r
  JOIN charging_ledger l ON l.reference = r.reference AND l.rating_group = r.rating_group AND l.kind = 'debit'
  JOIN charging_bucket b ON b.id = l.bucket_id AND b.charging_account_id = r.charging_account_id
  GROUP BY 1, 2, 3
)
SELECT reference, rating_group, bucket_id, coalesce(d.amount, 0)::text AS debited, coalesce(c.amount, 0)::text AS credited
FROM credited c FULL JOIN debited d USING (reference, rating_group, bucket_id)
WHERE coalesce(d.amount, 0) <> coalesce(c.amount, 0)
ORDER BY reference, rating_group, bucket_id`;

/** Every refund that does not give back exactly what its event was charged (one consistent snapshot). */
export async function reconcileRefunds(db: pg.Pool | pg.PoolClient): Promise<RefundDifference[]> {
  const { rows } = await db.query(CHECK_REFUNDS);
  return (rows as Array<Record<string, string | number>>).map((r) => ({
    reference: String(r.reference),
    ratingGroup: Number(r.rating_group),
    bucketId: String(r.bucket_id),
    debited: String(r.debited),
    credited: String(r.credited),
  }));
}
