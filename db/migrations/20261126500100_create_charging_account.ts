import type { Knex } from 'knex';

/**
 * Prepaid charging: accounts, the subscribers that draw on them (several for a shared account),
 * typed balance buckets and the ledger. For every bucket, at every moment:
 * balance = initial + credits − debits (reservations and releases move `reserved`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('charging_account', (t) => {
    t.uuid('id').primary();
    t.text('customer_id').notNullable().index();
    t.text('billing_account_id').notNullable();
    t.text('currency').notNullable();
    t.text('status').notNullable();
    // The order that opened it: a retried creation finds it.
    t.text('origin').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.raw(`ALTER TABLE charging_account ADD CONSTRAINT charging_account_status CHECK (status IN ('active','suspended','closed'))`);

  await knex.schema.createTable('charging_subscriber', (t) => {
    t.text('msisdn').primary();
    t.text('imsi').unique();
    t.uuid('charging_account_id').notNullable().references('id').inTable('charging_account');
    t.text('product_id');
    t.text('status').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.raw(`ALTER TABLE charging_subscriber ADD CONSTRAINT charging_subscriber_status CHECK (status IN ('active','suspended','closed'))`);

  await knex.schema.createTable('charging_bucket', (t) => {
    t.uuid('id').primary();
    t.uuid('charging_account_id').notNullable().references('id').inTable('charging_account').index();
    t.text('bucket_type').notNullable();
    t.text('unit').notNullable();
    t.decimal('initial', 30, 6).notNullable();
    t.decimal('balance', 30, 6).notNullable();
    t.decimal('reserved', 30, 6).notNullable().defaultTo(0);
    t.decimal('credit_limit', 30, 6);
    // Allowances before cash: lower first.
    t.integer('priority').notNullable();
    t.timestamp('valid_from', { useTz: true }).notNullable();
    t.timestamp('valid_until', { useTz: true });
    t.text('origin').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.raw(`ALTER TABLE charging_bucket ADD CONSTRAINT charging_bucket_type CHECK (bucket_type IN ('money','data','voice','sms'))`);

  await knex.schema.createTable('charging_ledger', (t) => {
    t.bigIncrements('id');
    t.uuid('bucket_id').notNullable().references('id').inTable('charging_bucket').index();
    t.text('kind').notNullable();
    t.decimal('amount', 30, 6).notNullable();
    t.text('reference').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.raw(`ALTER TABLE charging_ledger ADD CONSTRAINT charging_ledger_kind CHECK (kind IN ('credit','debit','reservation','release'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('charging_ledger');
  await knex.schema.dropTable('charging_bucket');
  await knex.schema.dropTable('charging_subscriber');
  await knex.schema.dropTable('charging_account');
}
