import type { Knex } from 'knex';

/**
 * The prepaid money balance of each charging account as of the last refresh (what can be spent:
 * balance less what is reserved, over the money buckets valid then), for the balance distribution
 * report, with the customer's region.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE MATERIALIZED VIEW report_prepaid_balance AS
    SELECT a.id::text AS charging_account_id,
      coalesce(sum(b.balance - b.reserved) FILTER (WHERE b.bucket_type = 'money' AND b.valid_from <= now() AND (b.valid_until IS NULL OR b.valid_until > now())), 0) AS balance,
      coalesce(rc.region, 'unknown') AS region
    FROM charging_account a
    LEFT JOIN charging_bucket b ON b.charging_account_id = a.id
    LEFT JOIN report_customer rc ON rc.id = a.customer_id
    WHERE a.status = 'active' AND a.customer_id <> ''
    GROUP BY a.id, rc.region
  `);
  await knex.raw('CREATE UNIQUE INDEX report_prepaid_balance_id ON report_prepaid_balance (charging_account_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP MATERIALIZED VIEW report_prepaid_balance');
}
