import type { Knex } from 'knex';

/**
 * The identification numbers of individuals (TMF632 individualIdentification.identificationId),
 * which never sit in clear in the individual's document: sealed with AES-256-GCM, a blind index
 * (HMAC) to find an individual by number, and the masked form the document shows. Rows go with
 * their individual (cascade); the key is checked at commit, since the rows of a new individual are
 * written just before the individual itself, in the same transaction.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('crm_party_identification', (t) => {
    t.uuid('id').primary();
    t.uuid('individual_id').notNullable().index();
    t.text('identification_type').notNullable();
    t.text('issuing_authority');
    t.text('number_sealed').notNullable();
    t.text('number_index').notNullable().index();
    t.text('masked').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.foreign('individual_id').references('id').inTable('crm_party_individual').onDelete('CASCADE').deferrable('deferred');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('crm_party_identification');
}
