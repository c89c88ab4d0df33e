import type { Knex } from 'knex';

/**
 * The collection state of each postpaid billing account, mirrored from its billing cycle workflow
 * (billing-<billingAccountId>) so the API can show it: in good standing, overdue, reminded,
 * suspended or terminated, and whether a disputed bill holds the dunning.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('billing_dunning', (t) => {
    t.text('billing_account_id').primary();
    t.text('state').notNullable();
    t.text('bill_id');
    t.date('due_date');
    t.decimal('overdue_amount', 14, 2);
    t.specificType('disputed_bills', 'text[]').notNullable().defaultTo('{}');
    t.text('current_cycle_start');
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.raw(
    `ALTER TABLE billing_dunning ADD CONSTRAINT billing_dunning_state CHECK (state IN ('current','overdue','reminded','finalReminder','suspended','terminated'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_dunning');
}
