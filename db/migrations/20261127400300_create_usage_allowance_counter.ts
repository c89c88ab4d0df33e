import type { Knex } from 'knex';

/**
 * What a subscription has used of its allowance of one usage type in one bill cycle. Rating locks
 * the counter row in the transaction that stores the rated records, so two imports running at
 * once never both spend the same allowance.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('usage_allowance_counter', (t) => {
    t.uuid('subscription_id').notNullable();
    t.date('cycle_start').notNullable();
    t.text('usage_type').notNullable();
    t.specificType('used', 'numeric').notNullable().defaultTo(0);
    t.primary(['subscription_id', 'cycle_start', 'usage_type']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('usage_allowance_counter');
}
