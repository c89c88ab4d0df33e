import type { Knex } from 'knex';

/**
 * The money ledger of a postpaid billing account: what it owes is the sum of its entries. A bill
 * adds its total (positive); a payment or a credit subtracts (negative); an adjustment goes either
 * way. `reference` is the business key (bill id, payment idempotency key …): a retry adds nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('billing_account_entry', (t) => {
    t.bigIncrements('id');
    t.text('billing_account_id').notNullable();
    t.text('kind').notNullable();
    t.decimal('amount', 14, 2).notNullable();
    t.text('currency').notNullable();
    t.text('reference').notNullable().unique();
    t.text('bill_id');
    t.text('description').notNullable();
    t.timestamp('booked_at', { useTz: true }).notNullable();
    t.index(['billing_account_id', 'booked_at']);
  });
  await knex.raw(`ALTER TABLE billing_account_entry ADD CONSTRAINT billing_account_entry_kind CHECK (kind IN ('bill','payment','refund','adjustment'))`);
  await knex.raw(
    `ALTER TABLE billing_account_entry ADD CONSTRAINT billing_account_entry_sign CHECK ((kind = 'bill' AND amount >= 0) OR (kind = 'payment' AND amount < 0) OR (kind = 'refund' AND amount > 0) OR kind = 'adjustment')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_account_entry');
}
