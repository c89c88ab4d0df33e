import type { Knex } from 'knex';
import { SERVICE_OF_RATING_GROUP } from '../../domain/charging/rating-groups';
import { BUCKET_UNITS } from '../charging';

/**
 * Refunds of charged events (TS 32.299 Refund-Information, Requested-Action REFUND_ACCOUNT: an SMS
 * the network could not deliver). One row per event and rating group refunded: its primary key is
 * what makes a refund happen once, however often the network asks. The refund's credits are ledger
 * entries (reference `refund:` and the event's reference, with the event's rating group), so prepaid
 * usage by service counts them against the debits they give back.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE charging_refund (
      reference text NOT NULL,
      rating_group integer NOT NULL,
      charging_account_id uuid NOT NULL REFERENCES charging_account (id),
      created_at timestamptz NOT NULL,
      PRIMARY KEY (reference, rating_group)
    )`);
  await knex.raw('DROP MATERIALIZED VIEW report_prepaid_usage');
  await createUsageView(knex, true);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP MATERIALIZED VIEW report_prepaid_usage');
  await createUsageView(knex, false);
  await knex.raw('DROP TABLE charging_refund');
}

/**
 * The view of 20261128100000, with refunds (credits that name a service) as negative usage when
 * `refunds`; with `owners` (20261207000000), what a line's own bucket gave counts for its product.
 */
export async function createUsageView(knex: Knex, refunds: boolean, owners = false): Promise<void> {
  const groups = Object.entries(SERVICE_OF_RATING_GROUP);
  const service = `CASE l.rating_group ${groups.map(([group, s]) => `WHEN ${Number(group)} THEN '${s}'`).join(' ')} ELSE 'other' END`;
  const unit = `CASE l.rating_group ${groups.map(([group, s]) => `WHEN ${Number(group)} THEN '${BUCKET_UNITS[s]}'`).join(' ')} ELSE 'units' END`;
  const signed = refunds ? `CASE WHEN l.kind = 'credit' THEN -l.amount ELSE l.amount END` : 'l.amount';
  await knex.raw(`
    CREATE MATERIALIZED VIEW report_prepaid_usage AS
    SELECT l.id, l.created_at AS at, l.rating_group,
      ${service} AS service,
      ${unit} AS unit,
      CASE WHEN b.bucket_type = 'money' THEN 0 ELSE ${signed} END AS units,
      CASE WHEN b.bucket_type = 'money' THEN ${signed} ELSE 0 END AS charged,
      coalesce(${owners ? 'op.product, ' : ''}ap.product, 'unknown') AS product,
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
    ${owners ? `LEFT JOIN LATERAL (
      SELECT coalesce(p.body->'productOffering'->>'name', 'unknown') AS product
      FROM charging_subscriber os LEFT JOIN product_inventory p ON p.id::text = os.product_id
      WHERE os.msisdn = b.owner_msisdn
    ) op ON true` : ''}
    LEFT JOIN report_customer rc ON rc.id = a.customer_id
    WHERE ${refunds ? `(l.kind = 'debit' OR (l.kind = 'credit' AND l.reference LIKE 'refund:%'))` : `l.kind = 'debit'`} AND l.rating_group IS NOT NULL
  `);
  await knex.raw('CREATE UNIQUE INDEX report_prepaid_usage_id ON report_prepaid_usage (id)');
}
