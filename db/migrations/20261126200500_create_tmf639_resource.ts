import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/** TMF639 resources: every allocated number, SIM card and FTTH port, owned by its customer. */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'inventory_tmf_resource', { customerOwned: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inventory_tmf_resource');
}
