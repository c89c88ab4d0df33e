/**
 * `npm run reconcile`: checks the charging ledger against every bucket, every bucket's reserved
 * amount against what open sessions and reservations hold, and every refund against the event it
 * gives back (DATABASE_URL), and prints each difference; exits 1 when there is any.
 */
import pg from 'pg';
import { reconcileHolders, reconcileLedger, reconcileRefunds } from './engine/reconcile';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is required (the PostgreSQL the OCS charges on)');
    process.exit(2);
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const buckets = await pool.query('SELECT count(*)::int AS n FROM charging_bucket');
    const differences = await reconcileLedger(pool);
    for (const d of differences) {
      console.log(
        `bucket ${d.bucketId} (account ${d.chargingAccountId}): balance ${d.balance}, ledger says ${d.expectedBalance}; reserved ${d.reserved}, ledger says ${d.expectedReserved}`,
      );
    }
    console.log(`${buckets.rows[0].n} buckets checked, ${differences.length} differ from the ledger`);
    const unheld = await reconcileHolders(pool);
    for (const h of unheld) {
      console.log(`bucket ${h.bucketId} (account ${h.chargingAccountId}): reserved ${h.reserved}, its open sessions and reservations hold ${h.held}`);
    }
    console.log(`${unheld.length} buckets reserve other than their holders hold`);
    const refunds = await pool.query('SELECT count(*)::int AS n FROM charging_refund');
    const wrongRefunds = await reconcileRefunds(pool);
    for (const r of wrongRefunds) {
      console.log(`refund of ${r.reference} (rating group ${r.ratingGroup}) on bucket ${r.bucketId}: the event debited ${r.debited}, the refund credited ${r.credited}`);
    }
    console.log(`${refunds.rows[0].n} refunds checked, ${wrongRefunds.length} differences`);
    process.exitCode = differences.length || unheld.length || wrongRefunds.length ? 1 : 0;
  } finally {
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
