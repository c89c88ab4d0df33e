import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * TMF654 balance actions as their documents: top-ups, adjustments and reservations, owned by the
 * customer of the bucket they act on, with their status as a column for the housekeeping.
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of ['prepay_topup', 'prepay_adjustment', 'prepay_reservation']) {
    await createTmfResourceTable(knex, table, { customerOwned: true });
    await knex.raw(`ALTER TABLE ${table} ADD COLUMN status text GENERATED ALWAYS AS (body ->> 'status') STORED`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['prepay_reservation', 'prepay_adjustment', 'prepay_topup']) await knex.schema.dropTable(table);
}
