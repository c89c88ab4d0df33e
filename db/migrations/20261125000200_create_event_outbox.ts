import type { Knex } from 'knex';

/**
 * Transactional outbox: an event row is written in the same transaction as the change, and one
 * delivery row per matching listener; the sender works the deliveries until each succeeds or gives up.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('event_outbox', (t) => {
    t.uuid('event_id').primary();
    // Commit order within one process is insertion order: delivery order per listener follows it.
    t.bigIncrements('seq', { primaryKey: false });
    t.text('api_name').notNullable();
    t.text('event_type').notNullable();
    t.jsonb('payload').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('event_delivery', (t) => {
    t.uuid('event_id').notNullable().references('event_outbox.event_id').onDelete('CASCADE');
    t.uuid('listener_id').notNullable();
    t.text('callback').notNullable();
    t.text('status').notNullable().defaultTo('pending'); // pending | delivered | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
    t.timestamp('delivered_at', { useTz: true });
    t.primary(['event_id', 'listener_id']);
  });
  await knex.raw(`CREATE INDEX event_delivery_due ON event_delivery (next_attempt_at) WHERE status = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('event_delivery');
  await knex.schema.dropTable('event_outbox');
}
