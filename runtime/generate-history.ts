/**
 * `npm run generate-history -- [--customers N] [--months M] [--seed S]`: writes a generated history
 * (db/seeds/history.ts, with its money: runtime/history-money) into DATABASE_URL and refreshes the
 * report views. `npm start` does this by itself on a new embedded database (HISTORY_CUSTOMERS,
 * default 3000; 0 turns it off).
 */
import { createKnex } from '../db/knex';
import { refreshReportViews } from '../db/reports';
import { generatedCustomers } from '../db/seeds/history';
import { generateHistoryWithMoney } from './history-money';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number, not ${process.argv[i + 1]}`);
  return value;
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL to the database to write the history into');
  const knex = createKnex(url);
  try {
    const existing = await generatedCustomers(knex);
    if (existing > 0) console.log(`this database already holds ${existing} generated customers: adding more`);
    const customers = flag('customers', 3000);
    const started = Date.now();
    const summary = await generateHistoryWithMoney(
      url,
      { customers, months: flag('months', 12), seed: flag('seed', 20261126), end: new Date(), publicUrl: process.env.PUBLIC_URL ?? 'http://localhost:3000' },
      (done) => {
        if (done % 250 === 0 || done === customers) process.stdout.write(`\r${done} / ${customers} customers`);
      },
    );
    await refreshReportViews(knex);
    console.log(`\nwritten in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(summary)}`);
  } finally {
    await knex.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
