/**
 * The migration list, imported statically so migrations run the same under tsx, jest and a bundle
 * (knex's directory scan would need a loader for .ts files). Append new migrations at the end.
 */
import type { Knex } from 'knex';
import * as createHubListener from './20261125000100_create_hub_listener';
import * as createEventOutbox from './20261125000200_create_event_outbox';
import * as createCatalogTables from './20261125000300_create_catalog_tables';
import * as createCatalogVersion from './20261125000400_create_catalog_version';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: Array<[string, Migration]> = [
  ['20261125000100_create_hub_listener', createHubListener],
  ['20261125000200_create_event_outbox', createEventOutbox],
  ['20261125000300_create_catalog_tables', createCatalogTables],
  ['20261125000400_create_catalog_version', createCatalogVersion],
];

/** knex migration source over the static list. */
export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => migrations,
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
