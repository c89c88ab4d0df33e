import type { Knex } from 'knex';

/**
 * Facts of the money reports, beside those of 20261127700200: bill lines (what was billed, for
 * which product, when the bill was issued), the postpaid account ledger (bills, payments, refunds,
 * adjustments) and prepaid top-ups, each with the account's payment type and the customer's region.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE MATERIALIZED VIEW report_account AS
    SELECT a.id::text AS billing_account_id, a.customer_id,
      coalesce(a.body->'billStructure'->>'paymentType', a.body->>'accountType', 'unknown') AS payment_type,
      coalesce(rc.region, 'unknown') AS region
    FROM crm_billing_account a
    LEFT JOIN report_customer rc ON rc.id = a.customer_id
  `);
  await knex.raw('CREATE UNIQUE INDEX report_account_id ON report_account (billing_account_id)');

  await knex.raw(`
    CREATE MATERIALIZED VIEW report_bill_line AS
    SELECT l.id::text AS id, b.id::text AS bill_id, b.billing_account_id, b.issue_date, l.kind, l.net, l.tax, l.gross,
      coalesce(p.body->'productOffering'->>'name', CASE WHEN l.kind = 'oneTime' THEN 'one-time fees' ELSE 'other' END) AS product,
      coalesce(ra.region, 'unknown') AS region
    FROM billing_bill_line l
    JOIN billing_bill b ON b.id = l.bill_id
    LEFT JOIN product_inventory p ON p.id::text = l.body->'product'->>'id'
    LEFT JOIN report_account ra ON ra.billing_account_id = b.billing_account_id
  `);
  await knex.raw('CREATE UNIQUE INDEX report_bill_line_id ON report_bill_line (id)');

  await knex.raw(`
    CREATE MATERIALIZED VIEW report_ledger_entry AS
    SELECT e.id, e.billing_account_id, e.kind, e.amount, e.booked_at, coalesce(ra.region, 'unknown') AS region
    FROM billing_account_entry e
    LEFT JOIN report_account ra ON ra.billing_account_id = e.billing_account_id
  `);
  await knex.raw('CREATE UNIQUE INDEX report_ledger_entry_id ON report_ledger_entry (id)');

  await knex.raw(`
    CREATE MATERIALIZED VIEW report_topup AS
    SELECT t.id::text AS id,
      (t.body->>'confirmationDate')::timestamptz AS at,
      CASE WHEN t.body->'voucher' IS NOT NULL THEN 'voucher' WHEN t.body->'paymentMethod' IS NOT NULL THEN 'card' ELSE 'counter' END AS method,
      (t.body->'amount'->>'amount')::numeric AS amount,
      coalesce(rc.region, 'unknown') AS region
    FROM prepay_topup t
    LEFT JOIN report_customer rc ON rc.id = t.customer_id
    WHERE t.body->>'status' = 'completed'
  `);
  await knex.raw('CREATE UNIQUE INDEX report_topup_id ON report_topup (id)');
}

export async function down(knex: Knex): Promise<void> {
  for (const view of ['report_topup', 'report_ledger_entry', 'report_bill_line', 'report_account']) await knex.raw(`DROP MATERIALIZED VIEW ${view}`);
}
