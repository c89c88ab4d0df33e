import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/** TMF622 cancelProductOrder requests, with the order they cancel and their state as columns. */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'cancel_product_order', { customerOwned: true });
  await knex.raw(`
    ALTER TABLE cancel_product_order
      ADD COLUMN product_order_id text GENERATED ALWAYS AS (body #>> '{productOrder,id}') STORED,
      ADD COLUMN state text GENERATED ALWAYS AS (body ->> 'state') STORED`);
  await knex.raw('CREATE INDEX cancel_product_order_order ON cancel_product_order (product_order_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('cancel_product_order');
}
