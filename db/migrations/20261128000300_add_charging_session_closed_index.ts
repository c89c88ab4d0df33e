import type { Knex } from 'knex';

/** The OCS purges sessions closed longer than their retention; this finds them without a scan. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX charging_session_closed_at ON charging_session (updated_at) WHERE state = 'closed'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX charging_session_closed_at');
}
