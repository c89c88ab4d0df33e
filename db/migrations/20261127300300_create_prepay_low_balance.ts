import type { Knex } from 'knex';

/**
 * Low-balance notices per charging account: its own threshold (null: the configured default) and
 * whether the notice is armed. The housekeeping disarms an account when it tells the customer;
 * a top-up that lifts the balance over the threshold arms it again: one notice per crossing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('prepay_low_balance', (t) => {
    t.uuid('charging_account_id').primary().references('id').inTable('charging_account');
    t.decimal('threshold', 30, 6);
    t.boolean('armed').notNullable().defaultTo(true);
    // Notices sent so far: the idempotency key of the next one, so a retried notice is sent once.
    t.integer('crossings').notNullable().defaultTo(0);
    t.timestamp('notified_at', { useTz: true });
    t.decimal('notified_balance', 30, 6);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('prepay_low_balance');
}
