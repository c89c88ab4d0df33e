import type { Knex } from 'knex';

/**
 * A bucket may belong to one line of its account (`owner_msisdn`): a plan's allowances are the
 * line's that bought the plan, not every line's on the account. Money, and buckets without an
 * owner, stay shared by the account's lines (a family account's balance). Buckets from before
 * keep no owner: shared, as they were charged until now.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE charging_bucket ADD COLUMN owner_msisdn text REFERENCES charging_subscriber (msisdn)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE charging_bucket DROP COLUMN owner_msisdn');
}
