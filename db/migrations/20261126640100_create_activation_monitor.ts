import type { Knex } from 'knex';
import { createTmfResourceTable } from '../tmf-resource-table';

/**
 * TMF640 monitors: one per network request on a service. At most one request per service is in
 * flight (`InProgress`), which a partial unique index on the monitored service's href enforces.
 */
export async function up(knex: Knex): Promise<void> {
  await createTmfResourceTable(knex, 'activation_monitor');
  await knex.raw(`
    ALTER TABLE activation_monitor
      ADD COLUMN state text GENERATED ALWAYS AS (body ->> 'state') STORED,
      ADD COLUMN source_href text GENERATED ALWAYS AS (body ->> 'sourceHref') STORED`);
  await knex.raw('CREATE INDEX activation_monitor_source ON activation_monitor (source_href, created_at)');
  await knex.raw(`CREATE UNIQUE INDEX activation_monitor_one_in_progress ON activation_monitor (source_href) WHERE state = 'InProgress'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('activation_monitor');
}
