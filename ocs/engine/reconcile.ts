/**
 * The ledger invariant, checked for every bucket: balance = initial + credits − debits and
 * reserved = reservations − releases. Whatever differs is returned; there must be nothing.
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
export async function reconcileLedger(pool: pg.Pool): Promise<LedgerDifference[]> {
  const { rows } = await pool.query(CHECK);
  return (rows as Array<Record<string, string>>).map((r) => ({
    bucketId: r.bucket_id,
    chargingAccountId: r.charging_account_id,
    balance: r.balance,
    expectedBalance: r.expected_balance,
    reserved: r.reserved,
    expectedReserved: r.expected_reserved,
  }));
}
