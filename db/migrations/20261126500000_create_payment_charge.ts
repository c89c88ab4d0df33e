import type { Knex } from 'knex';

/**
 * Money collected through the payment gateway (up-front order payments; top-ups and bill payments
 * later). The idempotency key is the business key: a retried collection finds its row and never
 * charges twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payment_charge', (t) => {
    t.uuid('id').primary();
    t.text('idempotency_key').notNullable().unique();
    t.text('customer_id').notNullable().index();
    t.text('order_id').index();
    t.text('purpose').notNullable();
    t.decimal('amount', 14, 2).notNullable();
    t.text('currency').notNullable();
    t.uuid('payment_method_id');
    t.text('status').notNullable();
    t.text('gateway_charge_id');
    t.text('decline_reason');
    t.decimal('refunded_amount', 14, 2).notNullable().defaultTo(0);
    t.text('gateway_refund_id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.raw(`ALTER TABLE payment_charge ADD CONSTRAINT payment_charge_status CHECK (status IN ('pending','captured','declined','refunded'))`);
  await knex.raw(`ALTER TABLE payment_charge ADD CONSTRAINT payment_charge_amounts CHECK (amount > 0 AND refunded_amount >= 0 AND refunded_amount <= amount)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payment_charge');
}
