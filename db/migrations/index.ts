/**
 * The migrations: every `<14-digit timestamp>_<name>.ts` file in this folder, in name order.
 * A migration source over our own list (rather than knex's directory scan) lets them load the
 * same way under tsx and jest. One change per file, with `up` and `down`.
 */
import fs from 'node:fs';
import type { Knex } from 'knex';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const MIGRATION_FILE = /^(\d{14}_[a-z0-9_]+)\.ts$/;

/** Names of the migration files, oldest first. */
export function migrationNames(dir = __dirname): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => MIGRATION_FILE.exec(f)?.[1])
    .filter((name): name is string => !!name)
    .sort();
}

/** knex migration source over the files of this folder. */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => migrationNames(),
  getMigrationName: (name) => name,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  getMigration: async (name) => require(`./${name}`) as Migration,
};
