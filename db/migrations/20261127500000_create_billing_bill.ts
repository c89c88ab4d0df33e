import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * Bills (TMF678 customerBill): the document as JSONB, and beside it the columns the bill run and
 * payments work with. One bill per account and cycle (unique), so that a bill is never issued
 * twice for the same period whatever is retried; bill numbers come from a sequence.
 */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'billing_bill', { customerOwned: true });
  await knex.raw('CREATE SEQUENCE billing_bill_no_seq');
  await knex.schema.alterTable('billing_bill', (t) => {
    t.bigInteger('bill_no').notNullable().unique().defaultTo(knex.raw("nextval('billing_bill_no_seq')"));
    t.text('billing_account_id').notNullable();
    t.date('cycle_start').notNullable();
    t.date('cycle_end').notNullable();
    t.date('issue_date').notNullable();
    t.date('due_date').notNullable();
    t.text('currency').notNullable();
    t.decimal('total_net', 14, 2).notNullable();
    t.decimal('total_tax', 14, 2).notNullable();
    t.decimal('total_charges', 14, 2).notNullable();
    t.decimal('previous_balance', 14, 2).notNullable();
    t.decimal('payments', 14, 2).notNullable();
    t.decimal('adjustments', 14, 2).notNullable();
    t.decimal('amount_due', 14, 2).notNullable();
    // The PDF is rendered from the stored bill when first needed (sending, download) and kept.
    // What the bill says (lines, taxes, totals, who it is for): what the PDF is rendered from.
    t.jsonb('statement').notNullable();
    t.binary('pdf');
    t.unique(['billing_account_id', 'cycle_start']);
  });
  await knex.raw(`ALTER TABLE billing_bill ADD COLUMN state text GENERATED ALWAYS AS (body ->> 'state') STORED`);
  await knex.raw('ALTER TABLE billing_bill ADD CONSTRAINT billing_bill_cycle CHECK (cycle_end > cycle_start)');
  await knex.raw(`ALTER SEQUENCE billing_bill_no_seq OWNED BY billing_bill.bill_no`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_bill');
}
