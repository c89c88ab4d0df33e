import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * TMF676 payments received for postpaid billing accounts. `correlatorId` (the client's
 * idempotency key) is unique: the same payment submitted twice is one payment and one charge.
 */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'payment', { customerOwned: true });
  await knex.raw(`
    ALTER TABLE payment
      ADD COLUMN correlator_id text GENERATED ALWAYS AS (body ->> 'correlatorId') STORED,
      ADD COLUMN billing_account_id text GENERATED ALWAYS AS (body #>> '{account,id}') STORED`);
  await knex.raw('CREATE UNIQUE INDEX payment_correlator_id_unique ON payment (correlator_id)');
  await knex.raw('CREATE INDEX payment_billing_account ON payment (billing_account_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payment');
}
