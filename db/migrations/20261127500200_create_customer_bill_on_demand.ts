import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/** Requests for a bill on demand (TMF678 customerBillOnDemand), as stored documents. */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'billing_bill_on_demand', { customerOwned: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_bill_on_demand');
}
