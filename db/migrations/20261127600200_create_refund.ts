import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * TMF676 refunds of card payments. `correlatorId` (the client's idempotency key) is unique: the
 * same refund submitted twice is one refund at the gateway and one ledger entry.
 */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'refund', { customerOwned: true });
  await knex.raw(`
    ALTER TABLE refund
      ADD COLUMN correlator_id text GENERATED ALWAYS AS (body ->> 'correlatorId') STORED,
      ADD COLUMN payment_id text GENERATED ALWAYS AS (body #>> '{payment,id}') STORED`);
  await knex.raw('CREATE UNIQUE INDEX refund_correlator_id_unique ON refund (correlator_id)');
  await knex.raw('CREATE INDEX refund_payment ON refund (payment_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refund');
}
