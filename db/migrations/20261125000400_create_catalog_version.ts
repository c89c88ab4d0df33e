import type { Knex } from 'knex';

/**
 * Every version of a catalog item, as it was. A launched offering or price never changes its
 * commercial terms in place: a change makes a new version, and what was sold points at (id, version).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('catalog_version', (t) => {
    t.text('resource').notNullable();
    t.uuid('id').notNullable();
    t.text('version').notNullable();
    t.jsonb('body').notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['resource', 'id', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('catalog_version');
}
