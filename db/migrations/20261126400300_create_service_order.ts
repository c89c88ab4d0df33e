import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * TMF641 service orders, with their state and the product order they come from (the name of the
 * first `externalReference` of type ProductOrder) as columns.
 */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'service_order', { customerOwned: true });
  await knex.raw(`
    ALTER TABLE service_order
      ADD COLUMN product_order_id text GENERATED ALWAYS AS (
        jsonb_path_query_first(body, '$.externalReference[*] \\? (@.externalReferenceType == "ProductOrder").name') #>> '{}'
      ) STORED,
      ADD COLUMN state text GENERATED ALWAYS AS (body ->> 'state') STORED`);
  await knex.raw('CREATE INDEX service_order_product_order ON service_order (product_order_id)');
  await knex.raw('CREATE INDEX service_order_customer_state ON service_order (customer_id, state)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('service_order');
}
