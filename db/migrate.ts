/** `npm run migrate`: brings the database at DATABASE_URL to the latest schema and loads the seeds. */
import { createKnex } from './knex';
import { migrateAndSeed } from './setup';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const knex = createKnex(url);
  try {
    const applied = await migrateAndSeed(knex);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema already up to date');
  } finally {
    await knex.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
