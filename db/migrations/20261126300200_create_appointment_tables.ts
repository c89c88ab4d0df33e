import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/** TMF646 resources: appointments and time-slot searches, each owned by a customer. */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'workforce_appointment', { customerOwned: true });
  await createTmfResourceTable(knex, 'workforce_search_time_slot', { customerOwned: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('workforce_search_time_slot');
  await knex.schema.dropTable('workforce_appointment');
}
