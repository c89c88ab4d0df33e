/** Databases of the run's PostgreSQL of a test's own: empty (for migrations), or migrated and seeded (to see only its own data). */
import type { Knex } from 'knex';
import { createKnex } from '../../db/knex';
import { migrationNames, migrationSource } from '../../db/migrations';
import { migrateAndSeed } from '../../db/setup';

/** Creates (again, if it is left from an earlier run) an empty database; returns its connection string. */
export async function createEmptyDatabase(name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const url = new URL(process.env.DATABASE_URL!);
  const admin = createKnex(url.toString(), { max: 1 });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
    await admin.raw(`CREATE DATABASE ${name}`);
  } finally {
    await admin.destroy();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by this module (its connections must be closed). */
export async function dropDatabase(name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const admin = createKnex(process.env.DATABASE_URL!, { max: 1 });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
  } finally {
    await admin.destroy();
  }
}

export async function createScratchDatabase(name: string): Promise<string> {
  const url = await createEmptyDatabase(name);
  const knex = createKnex(url, { max: 2 });
  try {
    await migrateAndSeed(knex, 'http://bss.test');
  } finally {
    await knex.destroy();
  }
  return url;
}

/** Rolls a database back to just before `migration` (it and whatever came after it). */
export async function migrateBackToBefore(knex: Knex, migration: string): Promise<void> {
  const all = migrationNames();
  for (let i = 0; i < all.length - all.indexOf(migration); i++) await knex.migrate.down({ migrationSource });
}
