import type { Knex } from 'knex';

/** TMF `/hub` registrations: one row per listener and API. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('hub_listener', (t) => {
    t.uuid('id').primary();
    t.text('api_name').notNullable();
    t.text('callback').notNullable();
    t.text('query');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['api_name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hub_listener');
}
