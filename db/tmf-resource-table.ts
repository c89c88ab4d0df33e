import type { Knex } from 'knex';

/**
 * The shape every TMF resource table shares: the resource document as JSONB beside the
 * columns the machinery sorts and pages by. A table of customer data also has `customer_id`, the
 * customer a row belongs to, which keeps a customer-role caller to its own rows. Used by migrations.
 */
export async function createTmfResourceTable(knex: Knex, table: string, opts: { customerOwned?: boolean } = {}): Promise<void> {
  await knex.schema.createTable(table, (t) => {
    t.uuid('id').primary();
    t.jsonb('body').notNullable();
    if (opts.customerOwned) t.text('customer_id').index();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at', 'id']);
  });
}
