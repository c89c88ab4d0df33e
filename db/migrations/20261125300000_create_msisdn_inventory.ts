import type { Knex } from 'knex';

/**
 * The MSISDN pool, owned by the inventory domain. A number is available, reserved (for a
 * registration, until a deadline), assigned (to a subscription) or quarantined (recently released,
 * not yet offered again). A conditional update on `status` is what keeps one number from ever
 * going to two owners.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inventory_msisdn', (t) => {
    t.text('msisdn').primary();
    t.text('status').notNullable().defaultTo('available');
    t.text('reserved_for');
    t.text('customer_id');
    t.timestamp('reserved_until', { useTz: true });
    t.text('assigned_to');
    t.timestamp('status_changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE inventory_msisdn ADD CONSTRAINT inventory_msisdn_status CHECK (status IN ('available','reserved','assigned','quarantined'))`);
  await knex.raw(`ALTER TABLE inventory_msisdn ADD CONSTRAINT inventory_msisdn_reserved_has_owner CHECK (status <> 'reserved' OR reserved_for IS NOT NULL)`);
  // One reservation per registration: a retried reservation finds the first one.
  await knex.raw(`CREATE UNIQUE INDEX inventory_msisdn_one_per_owner ON inventory_msisdn (reserved_for) WHERE status = 'reserved'`);
  await knex.raw(`CREATE INDEX inventory_msisdn_available ON inventory_msisdn (msisdn) WHERE status = 'available'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inventory_msisdn');
}
