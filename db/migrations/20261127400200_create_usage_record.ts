import type { Knex } from 'knex';

/**
 * Offline charging: one row per usage record received (TMF635 Usage), keyed by its origin
 * (source + record id) so a file imported twice counts once. A row is rated (allowance part,
 * overage, amount) or rejected (reason and the raw input kept for a re-rate), then billed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('usage_record', (t) => {
    t.uuid('id').primary();
    t.text('source').notNullable();
    t.text('record_id').notNullable();
    t.text('state').notNullable();
    t.text('reason');
    t.jsonb('raw');
    t.text('msisdn');
    t.text('billing_account_id');
    t.uuid('subscription_id');
    t.text('usage_type');
    t.timestamp('start_time', { useTz: true });
    t.specificType('quantity', 'numeric');
    t.text('destination');
    t.date('cycle_start');
    t.text('band');
    t.text('price_id');
    t.specificType('allowance_quantity', 'numeric');
    t.specificType('overage_quantity', 'numeric');
    t.specificType('charged_quantity', 'numeric');
    t.decimal('amount', 20, 6);
    t.text('currency');
    t.text('bill_id');
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.timestamp('rated_at', { useTz: true });
    t.unique(['source', 'record_id']);
  });
  await knex.raw(`ALTER TABLE usage_record ADD CONSTRAINT usage_record_state CHECK (state IN ('received','rated','rejected','billed'))`);
  await knex.raw(`ALTER TABLE usage_record ADD CONSTRAINT usage_record_type CHECK (usage_type IN ('voice','sms','data'))`);
  // The bill run reads an account's cycle; re-rating reads what is not rated.
  await knex.raw('CREATE INDEX usage_record_account_cycle ON usage_record (billing_account_id, cycle_start, state)');
  await knex.raw(`CREATE INDEX usage_record_unrated ON usage_record (received_at) WHERE state IN ('received','rejected')`);
  await knex.raw('CREATE INDEX usage_record_received ON usage_record (received_at, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('usage_record');
}
