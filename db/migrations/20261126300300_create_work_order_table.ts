import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/** TMF697 work orders, owned by the customer they are for. */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'workforce_work_order', { customerOwned: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('workforce_work_order');
}
