import type { Knex } from 'knex';

/**
 * FTTH service areas and the postal codes they cover: a row per postal code or prefix (`28` covers
 * every Madrid code); the longest matching prefix names the area.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inventory_service_area', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('inventory_service_area_postal_code', (t) => {
    t.text('prefix').primary();
    t.text('area_id').notNullable().references('id').inTable('inventory_service_area').onDelete('CASCADE');
    t.index(['area_id']);
  });
  await knex.raw(`ALTER TABLE inventory_service_area_postal_code ADD CONSTRAINT inventory_postal_prefix_format CHECK (prefix ~ '^[0-9A-Z]{1,10}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inventory_service_area_postal_code');
  await knex.schema.dropTable('inventory_service_area');
}
