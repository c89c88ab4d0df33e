import type { Knex } from 'knex';

/** Numbers in quarantine by the time they entered it: housekeeping finds the aged ones without a scan of the pool. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX inventory_msisdn_quarantined ON inventory_msisdn (status_changed_at) WHERE status = 'quarantined'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX inventory_msisdn_quarantined');
}
