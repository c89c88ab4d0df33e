import type { Knex } from 'knex';

/**
 * The allowances a postpaid subscription includes per bill cycle (octets, seconds, events as
 * integer strings, or 'unlimited'), from the sold specification: offline rating uses them first.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('billing_subscription', (t) => {
    t.jsonb('allowances').notNullable().defaultTo('{}');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('billing_subscription', (t) => {
    t.dropColumn('allowances');
  });
}
