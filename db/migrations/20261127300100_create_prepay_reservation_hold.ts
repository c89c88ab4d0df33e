import type { Knex } from 'knex';

/**
 * What a TMF654 reservation holds on a bucket and until when: the housekeeping releases what is
 * still held after `expires_at`. One row per reservation; `state` moves held → released once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('prepay_reservation_hold', (t) => {
    t.uuid('reservation_id').primary();
    t.uuid('bucket_id').notNullable().references('id').inTable('charging_bucket');
    t.decimal('amount', 30, 6).notNullable();
    t.text('state').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('released_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE prepay_reservation_hold ADD CONSTRAINT prepay_reservation_hold_state CHECK (state IN ('held','released'))`);
  await knex.raw(`CREATE INDEX prepay_reservation_hold_due ON prepay_reservation_hold (expires_at) WHERE state = 'held'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('prepay_reservation_hold');
}
