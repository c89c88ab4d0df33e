import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * TMF638 services (what the network runs for a customer), with their state and the service order
 * that made them (`serviceOrderItem[0].serviceOrderId`) as columns.
 */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'service_inventory', { customerOwned: true });
  await knex.raw(`
    ALTER TABLE service_inventory
      ADD COLUMN state text GENERATED ALWAYS AS (body ->> 'state') STORED,
      ADD COLUMN service_order_id text GENERATED ALWAYS AS (body #>> '{serviceOrderItem,0,serviceOrderId}') STORED`);
  await knex.raw('CREATE INDEX service_inventory_customer_state ON service_inventory (customer_id, state)');
  await knex.raw('CREATE INDEX service_inventory_service_order ON service_inventory (service_order_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('service_inventory');
}
