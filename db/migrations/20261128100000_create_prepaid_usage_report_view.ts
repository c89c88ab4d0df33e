import type { Knex } from 'knex';
import { SERVICE_OF_RATING_GROUP } from '../../domain/charging/rating-groups';
import { BUCKET_UNITS } from '../charging';

/**
 * Prepaid usage by service: one row per charging engine debit that names a service (rating
 * group), with the month it was made in, the service and its unit, the units drawn from allowance
 * buckets and the money drawn from money buckets, the subscriber's product and the customer's
 * region. Reservations and releases are not usage (the engine debits only used units); top-ups,
 * adjustments and expiries name no service and are left out.
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
      coalesce(p.body->'productOffering'->>'name', 'unknown') AS product,
      coalesce(rc.region, 'unknown') AS region
    FROM charging_ledger l
    JOIN charging_bucket b ON b.id = l.bucket_id
    JOIN charging_account a ON a.id = b.charging_account_id
    -- The engine's ledger reference is <session id>#<request number>; the session names the number.
    LEFT JOIN charging_session s ON s.id = regexp_replace(l.reference, '#[0-9]+$', '')
    LEFT JOIN charging_subscriber cs ON cs.msisdn = s.msisdn
    LEFT JOIN product_inventory p ON p.id::text = cs.product_id
    LEFT JOIN report_customer rc ON rc.id = a.customer_id
    WHERE l.kind = 'debit' AND l.rating_group IS NOT NULL
  `);
  await knex.raw('CREATE UNIQUE INDEX report_prepaid_usage_id ON report_prepaid_usage (id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP MATERIALIZED VIEW report_prepaid_usage');
}
