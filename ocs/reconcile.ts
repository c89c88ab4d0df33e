/**
 * `npm run reconcile`: checks the charging ledger against every bucket (DATABASE_URL) and prints
 * each difference; exits 1 when there is any.
 */
import pg from 'pg';
import { reconcileLedger } from './engine/reconcile';

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
    process.exitCode = differences.length ? 1 : 0;
  } finally {
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
