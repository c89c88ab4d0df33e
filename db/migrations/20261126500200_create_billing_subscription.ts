import type { Knex } from 'knex';

/**
 * Postpaid billing inputs: a subscription per sold product (what it was sold at, and from when,
 * for proration) and one-time charges waiting for the next bill.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('billing_subscription', (t) => {
    t.uuid('id').primary();
    t.text('billing_account_id').notNullable().index();
    t.text('customer_id').notNullable();
    t.text('order_id').notNullable();
    t.text('product_key').notNullable();
    t.text('product_id');
    t.text('offering_id').notNullable();
    t.text('offering_version').notNullable();
    t.jsonb('prices').notNullable();
    t.date('start_date').notNullable();
    t.date('end_date');
    t.text('status').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['order_id', 'product_key']);
  });
  await knex.raw(`ALTER TABLE billing_subscription ADD CONSTRAINT billing_subscription_status CHECK (status IN ('active','suspended','terminated','voided'))`);

  await knex.schema.createTable('billing_one_time_charge', (t) => {
    t.uuid('id').primary();
    t.text('billing_account_id').notNullable().index();
    t.text('order_id').notNullable();
    t.text('product_key').notNullable();
    t.text('price_id').notNullable();
    t.text('price_version').notNullable();
    t.text('description').notNullable();
    t.decimal('net', 14, 2).notNullable();
    t.decimal('tax', 14, 2).notNullable();
    t.decimal('tax_rate', 6, 3).notNullable();
    t.text('currency').notNullable();
    t.text('status').notNullable();
    t.text('bill_id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['order_id', 'product_key', 'price_id']);
  });
  await knex.raw(`ALTER TABLE billing_one_time_charge ADD CONSTRAINT billing_one_time_charge_status CHECK (status IN ('pending','billed','voided'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_one_time_charge');
  await knex.schema.dropTable('billing_subscription');
}
