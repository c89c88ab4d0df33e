/** Brings a database to the latest schema and loads the seed data (idempotent: safe on every start). */
import type { Knex } from 'knex';
import { migrationSource } from './migrations';
import { seedCatalog } from './seeds/catalog';
import { seedInventory } from './seeds/inventory';
import { seedTicketExperts } from './seeds/ticket-experts';
import { seedWorkforce } from './seeds/workforce';

/** Runs pending migrations, then the seeds; returns the names of the migrations applied. */
export async function migrateAndSeed(knex: Knex, publicUrl = process.env.PUBLIC_URL ?? 'http://localhost:3000'): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
  await seedCatalog(knex, publicUrl.replace(/\/$/, ''));
  await seedInventory(knex);
  await seedWorkforce(knex);
  await seedTicketExperts(knex);
  return applied;
}
