import type { Knex } from 'knex';

/**
 * SIM stock: each card by its ICCID (Luhn check digit included, checked on the way in) with its
 * IMSI. A card is available, reserved (for an order) or inUse (the order confirmed it); a
 * conditional update on `status` gives a card to one owner only, and an owner holds one card.
 */
export async function up(knex: Knex): Promise<void> {
  // The Luhn (mod 10) check of a digit string: the ICCID's last digit is its check digit.
  await knex.raw(`
    CREATE FUNCTION inventory_luhn_valid(digits text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$
      SELECT CASE WHEN digits ~ '^[0-9]+$' THEN (
        SELECT sum(CASE WHEN s.i % 2 = 1 THEN (CASE WHEN s.d * 2 > 9 THEN s.d * 2 - 9 ELSE s.d * 2 END) ELSE s.d END) % 10 = 0
          FROM (SELECT g - 1 AS i, substr(reverse(digits), g, 1)::int AS d FROM generate_series(1, length(digits)) AS g) s
      ) ELSE false END
    $$`);
  await knex.schema.createTable('inventory_sim', (t) => {
    t.text('iccid').primary();
    t.text('imsi').notNullable().unique();
    t.text('status').notNullable().defaultTo('available');
    t.text('owner');
    t.text('customer_id');
    t.timestamp('reserved_at', { useTz: true });
    t.timestamp('in_use_since', { useTz: true });
    t.timestamp('status_changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE inventory_sim ADD CONSTRAINT inventory_sim_status CHECK (status IN ('available','reserved','inUse'))`);
  await knex.raw(`ALTER TABLE inventory_sim ADD CONSTRAINT inventory_sim_held_has_owner CHECK (status = 'available' OR owner IS NOT NULL)`);
  await knex.raw(`ALTER TABLE inventory_sim ADD CONSTRAINT inventory_sim_iccid_format CHECK (iccid ~ '^89[0-9]{17,18}$' AND inventory_luhn_valid(iccid))`);
  await knex.raw(`ALTER TABLE inventory_sim ADD CONSTRAINT inventory_sim_imsi_format CHECK (imsi ~ '^[0-9]{15}$')`);
  await knex.raw(`CREATE UNIQUE INDEX inventory_sim_one_per_owner ON inventory_sim (owner) WHERE status IN ('reserved','inUse')`);
  await knex.raw(`CREATE INDEX inventory_sim_available ON inventory_sim (iccid) WHERE status = 'available'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inventory_sim');
  await knex.raw('DROP FUNCTION inventory_luhn_valid(text)');
}
