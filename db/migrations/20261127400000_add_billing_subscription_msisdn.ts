import type { Knex } from 'knex';

/**
 * The number a postpaid subscription is used through: offline charging finds the subscription of a
 * usage record by its MSISDN. Set when the order starts the subscription; several rows may carry a
 * number over the years (a number is recycled), the active one rates.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('billing_subscription', (t) => {
    t.text('msisdn');
  });
  await knex.raw(`CREATE INDEX billing_subscription_msisdn ON billing_subscription (msisdn) WHERE msisdn IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX billing_subscription_msisdn');
  await knex.schema.alterTable('billing_subscription', (t) => {
    t.dropColumn('msisdn');
  });
}
