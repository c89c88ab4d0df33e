import type { Knex } from 'knex';

/**
 * The content of a TMF667 document (an identity scan, a signed contract): the bytes sealed with
 * AES-256-GCM (they are personal data), the SHA-256 of the clear bytes, and the type sniffed from
 * them. One content per document; it goes with its document (cascade).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('crm_document_content', (t) => {
    t.uuid('document_id').primary();
    t.text('sealed').notNullable();
    t.text('sha256').notNullable();
    t.text('mime').notNullable();
    t.integer('size').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.foreign('document_id').references('id').inTable('crm_document').onDelete('CASCADE').deferrable('deferred');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('crm_document_content');
}
