import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * TMF637 products (what a customer has bought), with their status and the product order that made
 * them (`productOrderItem[0].productOrderId`) as columns.
 */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'product_inventory', { customerOwned: true });
  await knex.raw(`
    ALTER TABLE product_inventory
      ADD COLUMN status text GENERATED ALWAYS AS (body ->> 'status') STORED,
      ADD COLUMN product_order_id text GENERATED ALWAYS AS (body #>> '{productOrderItem,0,productOrderId}') STORED`);
  await knex.raw('CREATE INDEX product_inventory_customer_status ON product_inventory (customer_id, status)');
  await knex.raw('CREATE INDEX product_inventory_product_order ON product_inventory (product_order_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('product_inventory');
}
