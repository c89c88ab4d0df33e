import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/** TMF621 trouble tickets (customer queries), owned by the customer who asked. */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'crm_trouble_ticket', { customerOwned: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('crm_trouble_ticket');
}
