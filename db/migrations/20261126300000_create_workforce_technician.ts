import type { Knex } from 'knex';

/**
 * Field technicians of the workforce domain: who they are, the postal-code prefixes they cover,
 * and their working days and hours as wall-clock times in the area's time zone.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('workforce_technician', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.text('email').notNullable();
    t.text('phone').notNullable();
    t.specificType('postal_prefixes', 'text[]').notNullable();
    t.text('time_zone').notNullable();
    // ISO weekdays: 1 = Monday … 7 = Sunday.
    t.specificType('working_days', 'smallint[]').notNullable();
    t.text('work_start').notNullable();
    t.text('work_end').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE workforce_technician ADD CONSTRAINT workforce_technician_hours CHECK (work_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND work_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND work_start < work_end)`);
  await knex.raw('CREATE INDEX workforce_technician_prefixes ON workforce_technician USING gin (postal_prefixes)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('workforce_technician');
}
