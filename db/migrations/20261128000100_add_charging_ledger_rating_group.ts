import type { Knex } from 'knex';

/**
 * The service a charging engine entry was for (its rating group: 100 voice, 200 SMS, 300 data),
 * so that prepaid usage can be reported by service from the ledger. Empty for top-ups,
 * adjustments and expiries, which belong to no service.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('charging_ledger', (t) => {
    t.integer('rating_group');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('charging_ledger', (t) => {
    t.dropColumn('rating_group');
  });
}
