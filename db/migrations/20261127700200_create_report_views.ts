import type { Knex } from 'knex';
import { PROVINCES } from '../../domain/reports/regions';

/**
 * The facts business reports are computed from, as materialised views over the system of record
 * (refreshed by the `reports-refresh` schedule), one row per customer, order item, query and
 * interaction, with the dimensions reports filter by (channel, product, region). Customer status
 * history comes from the TMF event outbox (every CustomerStateChangeEvent is kept): when a
 * customer first became Active, and when it was Closed (the events' own eventTime).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_region', (t) => {
    t.text('prefix').primary();
    t.text('name').notNullable();
  });
  await knex('report_region').insert(Object.entries(PROVINCES).map(([prefix, name]) => ({ prefix, name })));

  await knex.raw(`
    CREATE MATERIALIZED VIEW report_customer AS
    WITH status_changes AS (
      SELECT payload->'event'->'customer'->>'id' AS id, payload->'event'->'customer'->>'status' AS status, min((payload->>'eventTime')::timestamptz) AS at
      FROM event_outbox WHERE event_type = 'CustomerStateChangeEvent'
      GROUP BY 1, 2
    )
    SELECT c.id::text AS id,
      c.created_at,
      c.body->>'status' AS status,
      active.at AS activated_at,
      CASE WHEN active.at IS NOT NULL THEN closed.at END AS churned_at,
      coalesce((SELECT ch->>'value' FROM jsonb_array_elements(coalesce(c.body->'characteristic', '[]')) ch WHERE ch->>'name' = 'acquisitionChannel' LIMIT 1), 'unknown') AS channel,
      coalesce(r.name, 'unknown') AS region
    FROM crm_customer c
    LEFT JOIN status_changes active ON active.id = c.id::text AND active.status = 'Active'
    LEFT JOIN status_changes closed ON closed.id = c.id::text AND closed.status = 'Closed'
    LEFT JOIN report_region r ON r.prefix = substring((
      SELECT m->'characteristic'->>'postCode' FROM jsonb_array_elements(coalesce(c.body->'contactMedium', '[]')) m
      WHERE m->>'mediumType' = 'postalAddress' LIMIT 1) FROM '^(\\d{2})\\d{3}$')
  `);
  await knex.raw('CREATE UNIQUE INDEX report_customer_id ON report_customer (id)');

  await knex.raw(`
    CREATE MATERIALIZED VIEW report_order_item AS
    SELECT o.id::text AS order_id,
      coalesce(item->>'id', '') AS item_id,
      o.customer_id,
      (o.body->>'orderDate')::timestamptz AS ordered_at,
      (o.body->>'completionDate')::timestamptz AS finished_at,
      o.body->>'state' AS state,
      coalesce(o.body->'channel'->0->>'name', o.body->'channel'->0->>'id', 'unknown') AS channel,
      coalesce(po.body->>'name', item->'productOffering'->>'name', item->'productOffering'->>'id', 'unknown') AS product,
      coalesce(rc.region, 'unknown') AS region,
      CASE WHEN o.body->>'state' IN ('rejected', 'failed') THEN (
        SELECT array_agg(DISTINCT reason) FROM jsonb_array_elements(coalesce(o.body->'note', '[]')) n,
          regexp_split_to_table(regexp_replace(n->>'text', '^(rejected|failed): ', ''), '; ') reason
        WHERE n->>'author' = 'order fulfilment' AND n->>'text' ~ '^(rejected|failed): '
      ) END AS fallout_reasons
    FROM product_order o
    CROSS JOIN jsonb_array_elements(coalesce(o.body->'productOrderItem', '[]')) item
    LEFT JOIN catalog_product_offering po ON po.id::text = item->'productOffering'->>'id'
    LEFT JOIN report_customer rc ON rc.id = o.customer_id
  `);
  await knex.raw('CREATE UNIQUE INDEX report_order_item_key ON report_order_item (order_id, item_id)');

  await knex.raw(`
    CREATE MATERIALIZED VIEW report_ticket AS
    SELECT t.id::text AS id,
      (t.body->>'creationDate')::timestamptz AS opened_at,
      (t.body->>'resolutionDate')::timestamptz AS resolved_at,
      (t.body->>'expectedResolutionDate')::timestamptz AS due_at,
      t.body->>'ticketType' AS ticket_type,
      t.body->>'severity' AS severity,
      t.body->>'status' AS status,
      coalesce(t.body->'channel'->>'name', 'unknown') AS channel,
      coalesce(rc.region, 'unknown') AS region
    FROM crm_trouble_ticket t
    LEFT JOIN report_customer rc ON rc.id = t.customer_id
  `);
  await knex.raw('CREATE UNIQUE INDEX report_ticket_id ON report_ticket (id)');

  await knex.raw(`
    CREATE MATERIALIZED VIEW report_interaction AS
    SELECT i.id::text AS id,
      coalesce((i.body->'interactionDate'->>'startDateTime')::timestamptz, i.created_at) AS at,
      coalesce(i.body->'channel'->0->>'id', 'unknown') AS channel,
      coalesce(i.body->>'direction', 'unknown') AS direction,
      coalesce(i.body->>'reason', 'unknown') AS reason,
      coalesce(rc.region, 'unknown') AS region
    FROM crm_party_interaction i
    LEFT JOIN report_customer rc ON rc.id = i.customer_id
  `);
  await knex.raw('CREATE UNIQUE INDEX report_interaction_id ON report_interaction (id)');
}

export async function down(knex: Knex): Promise<void> {
  for (const view of ['report_interaction', 'report_ticket', 'report_order_item', 'report_customer']) await knex.raw(`DROP MATERIALIZED VIEW ${view}`);
  await knex.schema.dropTable('report_region');
}
