import type { Knex } from 'knex';
import { SERVICE_OF_RATING_GROUP } from '../../domain/charging/rating-groups';
import { BUCKET_UNITS } from '../charging';

/**
 * Prepaid usage by service: one row per charging engine debit that names a service (rating
 * group), with the instant it was made, the service and its unit, the units drawn from allowance
 * buckets and the money drawn from money buckets, the product and the customer's region.
 * Reservations and releases are not usage (the engine debits only used units); top-ups,
 * adjustments and expiries name no service and are left out. The product is that of the
 * account's lines (charging subscribers): buckets, money ones above all, belong to the account,
 * not to a line, and the sessions that name the line are purged a day after they close. An
 * account whose lines are on different products reports 'several products'.
 */
export async function up(knex: Knex): Promise<void> {
  const groups = Object.entries(SERVICE_OF_RATING_GROUP);
  const service = `CASE l.rating_group ${groups.map(([group, s]) => `WHEN ${Number(group)} THEN '${s}'`).join(' ')} ELSE 'other' END`;
  const unit = `CASE l.rating_group ${groups.map(([group, s]) => `WHEN ${Number(group)} THEN '${BUCKET_UNITS[s]}'`).join(' ')} ELSE 'units' END`;
  await knex.raw(`
    CREATE MATERIALIZED VIEW report_prepaid_usage AS
    SELECT l.id, l.created_at AS at, l.rating_group,
      ${service} AS service,
      ${unit} AS unit,
      CASE WHEN b.bucket_type = 'money' THEN 0 ELSE l.amount END AS units,
      CASE WHEN b.bucket_type = 'money' THEN l.amount ELSE 0 END AS charged,
      coalesce(ap.product, 'unknown') AS product,
      coalesce(rc.region, 'unknown') AS region
    FROM charging_ledger l
    JOIN charging_bucket b ON b.id = l.bucket_id
    JOIN charging_account a ON a.id = b.charging_account_id
    LEFT JOIN LATERAL (
      SELECT CASE WHEN count(DISTINCT n.name) > 1 THEN 'several products' ELSE min(n.name) END AS product
      FROM charging_subscriber cs
      LEFT JOIN product_inventory p ON p.id::text = cs.product_id
      CROSS JOIN LATERAL (SELECT coalesce(p.body->'productOffering'->>'name', 'unknown') AS name) n
      WHERE cs.charging_account_id = a.id
    ) ap ON true
    LEFT JOIN report_customer rc ON rc.id = a.customer_id
    WHERE l.kind = 'debit' AND l.rating_group IS NOT NULL
  `);
  await knex.raw('CREATE UNIQUE INDEX report_prepaid_usage_id ON report_prepaid_usage (id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP MATERIALIZED VIEW report_prepaid_usage');
}
