import type { Knex } from 'knex';

/**
 * A technician's booked time. The exclusion constraint is what makes double-booking impossible:
 * no two rows of one technician that hold time (`booked`, `completed`, or `missed`: the technician
 * went) may overlap ([start, end) ranges), whatever the concurrency; a cancelled one frees it. It needs the btree_gist extension (shipped with PostgreSQL's contrib modules and
 * trusted, so a database owner may create it). One active booking per order keeps booking idempotent.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS btree_gist');
  await knex.schema.createTable('workforce_booking', (t) => {
    t.uuid('id').primary();
    t.uuid('technician_id').notNullable().references('id').inTable('workforce_technician');
    t.specificType('during', 'tstzrange').notNullable();
    t.text('status').notNullable().defaultTo('booked');
    t.uuid('appointment_id').notNullable().unique();
    t.uuid('work_order_id');
    t.text('order_id');
    // What the booking was asked for (the earliest start), so a retried rebooking finds it.
    t.timestamp('requested_earliest', { useTz: true });
    t.uuid('replaces_booking_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE workforce_booking ADD CONSTRAINT workforce_booking_status CHECK (status IN ('booked','completed','missed','cancelled'))`);
  await knex.raw(`ALTER TABLE workforce_booking ADD CONSTRAINT workforce_booking_range CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during))`);
  await knex.raw(
    `ALTER TABLE workforce_booking ADD CONSTRAINT workforce_booking_no_overlap
       EXCLUDE USING gist (technician_id WITH =, during WITH &&) WHERE (status IN ('booked','completed','missed'))`,
  );
  await knex.raw(`CREATE UNIQUE INDEX workforce_booking_one_per_order ON workforce_booking (order_id) WHERE status = 'booked' AND order_id IS NOT NULL`);
  await knex.raw('CREATE INDEX workforce_booking_order ON workforce_booking (order_id, created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('workforce_booking');
  // btree_gist stays: other tables may use it, and dropping an extension needs more rights than creating it.
}
