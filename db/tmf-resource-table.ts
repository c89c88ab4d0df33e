import type { Knex } from 'knex';

/**
 * The shape every TMF resource table shares: the resource document as JSONB beside the
 * columns the machinery sorts and pages by. Used by migrations only.
 */
export async function createTmfResourceTable(knex: Knex, table: string): Promise<void> {
  await knex.schema.createTable(table, (t) => {
    t.uuid('id').primary();
    t.jsonb('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at', 'id']);
  });
}
