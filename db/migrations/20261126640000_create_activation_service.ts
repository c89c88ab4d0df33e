import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/** TMF640 services (what the network is asked to activate, suspend, restore or terminate), with their state as a column. */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'activation_service');
  await knex.raw(`ALTER TABLE activation_service ADD COLUMN state text GENERATED ALWAYS AS (body ->> 'state') STORED`);
  await knex.raw('CREATE INDEX activation_service_state ON activation_service (state)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('activation_service');
}
