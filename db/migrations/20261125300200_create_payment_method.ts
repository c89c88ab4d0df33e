import type { Knex } from 'knex';

/**
 * Payment methods. Cards: only the gateway's token, brand, last four digits and expiry — never
 * the number. Direct debit: the IBAN sealed, and masked for display.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('crm_payment_method', (t) => {
    t.uuid('id').primary();
    t.uuid('registration_id');
    t.text('customer_id').index();
    t.text('type').notNullable();
    t.text('holder_name').notNullable();
    t.text('gateway_token');
    t.text('brand');
    t.text('last4');
    t.integer('expiry_month');
    t.integer('expiry_year');
    t.text('iban_sealed');
    t.text('iban_masked');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE crm_payment_method ADD CONSTRAINT crm_payment_method_type CHECK (type IN ('card','directDebit'))`);
  await knex.raw(`ALTER TABLE crm_payment_method ADD CONSTRAINT crm_payment_method_card_is_token CHECK (type <> 'card' OR (gateway_token IS NOT NULL AND last4 ~ '^[0-9]{4}$'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('crm_payment_method');
}
