import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * TMF622 product orders. Beside the document, columns other code queries by: the owning customer
 * (customer_id, from the machinery), and `external_id` and `state` generated from the document so
 * they can never disagree with it. An external id names one order per customer (orders naming no
 * customer share one namespace): a retried submission finds the order instead of making another.
 */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'product_order', { customerOwned: true });
  await knex.raw(`
    ALTER TABLE product_order
      ADD COLUMN external_id text GENERATED ALWAYS AS (body ->> 'externalId') STORED,
      ADD COLUMN state text GENERATED ALWAYS AS (body ->> 'state') STORED`);
  await knex.raw(`
    CREATE UNIQUE INDEX product_order_external_id_unique
      ON product_order ((coalesce(customer_id, '')), external_id) WHERE external_id IS NOT NULL`);
  await knex.raw('CREATE INDEX product_order_customer_state ON product_order (customer_id, state)');
  await knex.raw('CREATE INDEX product_order_state ON product_order (state)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('product_order');
}
