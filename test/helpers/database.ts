/** A fresh database of the run's PostgreSQL, migrated and seeded, for tests that need to see only their own data. */
import { createKnex } from '../../db/knex';
import { migrateAndSeed } from '../../db/setup';

export async function createScratchDatabase(name: string): Promise<string> {
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
  const knex = createKnex(url.toString(), { max: 2 });
  try {
    await migrateAndSeed(knex, 'http://bss.test');
  } finally {
    await knex.destroy();
  }
  return url.toString();
}
