import type { Knex } from 'knex';

/**
 * After a terminated account's final bill: `closed` when nothing is owed any more (the TMF666
 * billing account is closed too), `inCollection` when the balance was passed to debt collection.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE billing_dunning DROP CONSTRAINT billing_dunning_state');
  await knex.raw(
    `ALTER TABLE billing_dunning ADD CONSTRAINT billing_dunning_state CHECK (state IN ('current','overdue','reminded','finalReminder','suspended','terminated','inCollection','closed'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE billing_dunning DROP CONSTRAINT billing_dunning_state');
  await knex.raw(
    `ALTER TABLE billing_dunning ADD CONSTRAINT billing_dunning_state CHECK (state IN ('current','overdue','reminded','finalReminder','suspended','terminated'))`,
  );
}
