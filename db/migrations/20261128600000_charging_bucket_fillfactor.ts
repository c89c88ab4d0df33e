import type { Knex } from 'knex';

/**
 * Every charging request updates its bucket (balance, reserved), neither of them indexed: with
 * room left in each page the new row version stays in the same page (a HOT update) and no index
 * entry is written for it. Pages written from now on keep a fifth free.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE charging_bucket SET (fillfactor = 80)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE charging_bucket RESET (fillfactor)');
}
