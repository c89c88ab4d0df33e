import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * Bill lines (TMF678 appliedCustomerBillingRate): the document as JSONB, with the bill, the kind
 * and the amounts as columns for the queries that sum them.
 */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'billing_bill_line', { customerOwned: true });
  await knex.schema.alterTable('billing_bill_line', (t) => {
    t.uuid('bill_id').notNullable().references('id').inTable('billing_bill').onDelete('CASCADE');
    t.integer('line_no').notNullable();
    t.text('kind').notNullable();
    t.decimal('net', 14, 2).notNullable();
    t.decimal('tax_rate', 6, 3).notNullable();
    t.decimal('tax', 14, 2).notNullable();
    t.decimal('gross', 14, 2).notNullable();
    t.unique(['bill_id', 'line_no']);
  });
  await knex.raw(`ALTER TABLE billing_bill_line ADD CONSTRAINT billing_bill_line_kind CHECK (kind IN ('recurring','discount','usage','oneTime'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_bill_line');
}
