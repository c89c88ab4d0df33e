import type { Knex } from 'knex';

/**
 * What a session holds on a bucket for a rating group: `amount` in the bucket's unit (money or
 * octets, seconds, events) moved into the bucket's `reserved`, and `quantity` the service units it
 * stands for. Released when the session reports, ends, or its validity time passes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('charging_reservation', (t) => {
    t.bigIncrements('id');
    t.text('session_id').notNullable().references('id').inTable('charging_session').onDelete('CASCADE').index();
    t.integer('rating_group').notNullable();
    t.uuid('bucket_id').notNullable().references('id').inTable('charging_bucket');
    t.decimal('amount', 30, 6).notNullable();
    t.decimal('quantity', 30, 6).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('charging_reservation');
}
