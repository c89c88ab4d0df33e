import type { Knex } from 'knex';

/** Access nodes (OLTs, e.g. `OLT-MAD-01`), each serving one service area. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inventory_access_node', (t) => {
    t.text('id').primary();
    t.text('area_id').notNullable().references('id').inTable('inventory_service_area');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['area_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inventory_access_node');
}
