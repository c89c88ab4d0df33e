import type { Knex } from 'knex';

/** What the local mail sink received as attachments: name, type, size and SHA-256 of each. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dev_outbox', (t) => {
    t.jsonb('attachments').notNullable().defaultTo('[]');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dev_outbox', (t) => {
    t.dropColumn('attachments');
  });
}
