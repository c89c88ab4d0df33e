import type { Knex } from 'knex';

/**
 * A balance change made by prepay balance management happens once per reference: a retried
 * top-up credits once, a bucket expires once, a reservation is held and released once. Only the
 * references of those operations are covered; the charging engine keys its own entries.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE UNIQUE INDEX charging_ledger_prepay_reference ON charging_ledger (bucket_id, kind, reference)
    WHERE reference LIKE 'topup:%' OR reference LIKE 'adjustment:%' OR reference LIKE 'reservation:%' OR reference LIKE 'expiry:%'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX charging_ledger_prepay_reference');
}
