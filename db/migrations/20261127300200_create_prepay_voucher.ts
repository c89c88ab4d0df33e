import type { Knex } from 'knex';

/**
 * Top-up vouchers: only the SHA-256 of a code is kept (a leaked table redeems nothing), with its
 * value, currency, expiry, and the top-up that burnt it. `unused` → `used` happens once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('prepay_voucher', (t) => {
    t.text('code_hash').primary();
    t.text('serial').notNullable().unique();
    t.decimal('value', 30, 6).notNullable();
    t.text('currency').notNullable();
    t.text('state').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.uuid('used_by_topup').unique();
  });
  await knex.raw(`ALTER TABLE prepay_voucher ADD CONSTRAINT prepay_voucher_state CHECK (state IN ('unused','used'))`);
  await knex.raw(`ALTER TABLE prepay_voucher ADD CONSTRAINT prepay_voucher_value CHECK (value > 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('prepay_voucher');
}
