import type { Knex } from 'knex';

/**
 * The central provisioning log: one row per network command sent (each attempt of a retried
 * activity adds its own rows), written before the command goes out and completed with the reply,
 * the timeout or the connection error.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('provisioning_log', (t) => {
    t.uuid('id').primary();
    // Insertion order, to list entries with the same sent_at in the order they were written.
    t.specificType('seq', 'bigserial');
    t.text('order_id').notNullable();
    t.text('service_id').notNullable();
    t.text('operation').notNullable();
    t.text('element').notNullable();
    t.text('command').notNullable();
    t.text('reply');
    t.integer('retcode');
    t.text('status').notNullable();
    t.text('error');
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.timestamp('answered_at', { useTz: true });
    t.integer('duration_ms');
  });
  await knex.raw(`ALTER TABLE provisioning_log ADD CONSTRAINT provisioning_log_operation CHECK (operation IN ('activate','deactivate','suspend','restore'))`);
  await knex.raw(`ALTER TABLE provisioning_log ADD CONSTRAINT provisioning_log_element CHECK (element IN ('HLR','PCRF','OLT','CONTENT'))`);
  await knex.raw(`ALTER TABLE provisioning_log ADD CONSTRAINT provisioning_log_status CHECK (status IN ('sent','succeeded','rejected','failed','timeout','connectionError'))`);
  await knex.raw(`CREATE INDEX provisioning_log_order ON provisioning_log (order_id, sent_at)`);
  await knex.raw(`CREATE INDEX provisioning_log_service ON provisioning_log (service_id, sent_at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('provisioning_log');
}
