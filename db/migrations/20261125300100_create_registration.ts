import type { Knex } from 'knex';

/**
 * A customer registration as taken from a channel, mirrored by its workflow (state, reasons,
 * results). The national id number is only kept sealed (AES-256-GCM), with a blind index for
 * duplicate checks and a masked form for display.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('crm_registration', (t) => {
    t.uuid('id').primary();
    t.text('idempotency_key').unique();
    t.text('channel').notNullable();
    t.text('state').notNullable().defaultTo('collecting');
    t.jsonb('reasons').notNullable().defaultTo('[]');
    t.text('language').notNullable();
    t.jsonb('applicant').notNullable();
    t.text('document_type').notNullable();
    t.text('document_country').notNullable();
    t.text('document_number_sealed').notNullable();
    t.text('document_number_index').notNullable().index();
    t.text('document_number_masked').notNullable();
    t.jsonb('account').notNullable();
    t.boolean('wants_mobile').notNullable();
    t.text('preferred_msisdn');
    t.uuid('payment_method_id');
    t.uuid('document_id');
    t.uuid('customer_id');
    t.uuid('individual_id');
    t.uuid('billing_account_id');
    t.text('msisdn');
    t.jsonb('review');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('crm_registration');
}
