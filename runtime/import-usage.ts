/**
 * `npm run import-usage -- FILE [--source NAME] [--batch N]` imports a CSV usage file into the
 * database at DATABASE_URL, rating as it goes; `npm run import-usage -- --rerate [--source NAME]`
 * re-rates what is not rated. Prints a summary; exits 1 when the file cannot be read, 2 on bad use.
 */
import { SingleBar } from 'cli-progress';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { importUsageFile } from '../activities/usage/import-usage-file';
import type { ImportSummary } from '../activities/usage/import-summary';
import { rerateUsage } from '../activities/usage/rerate-usage';
import { createKnex } from '../db/knex';

function printSummary(s: ImportSummary, seconds: number): void {
  console.log(`read ${s.read}, rated ${s.rated}, duplicates ${s.duplicates}, rejected ${s.rejected} in ${seconds.toFixed(1)} s (${Math.round(s.read / Math.max(seconds, 0.001))} records/s)`);
  for (const [reason, n] of Object.entries(s.reasons).sort((a, b) => b[1] - a[1])) console.log(`  rejected: ${reason}: ${n}`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { source: { type: 'string' }, batch: { type: 'string' }, rerate: { type: 'boolean' } } });
  const file = positionals[0];
  if (!values.rerate && !file) {
    console.error('usage: npm run import-usage -- FILE [--source NAME] [--batch N] | --rerate [--source NAME]');
    return 2;
  }
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set');
    return 2;
  }
  if (file) {
    try {
      await fs.promises.access(file, fs.constants.R_OK);
    } catch (err) {
      console.error(`cannot read ${file}: ${(err as Error).message}`);
      return 1;
    }
  }
  const knex = createKnex(url);
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    if (values.rerate) {
      printSummary(await rerateUsage(knex, { source: values.source, now: () => new Date() }), elapsed());
      return 0;
    }
    const size = (await fs.promises.stat(file)).size;
    const bar = process.stderr.isTTY ? new SingleBar({ format: 'usage {bar} {percentage}% | {rated} rated, {rejected} rejected, {duplicates} duplicates', stream: process.stderr }) : undefined;
    bar?.start(size, 0, { rated: 0, rejected: 0, duplicates: 0 });
    const summary = await importUsageFile(knex, file, {
      source: values.source,
      batchSize: values.batch ? Number(values.batch) : undefined,
      now: () => new Date(),
      onProgress: (bytes, s) => bar?.update(bytes, { rated: s.rated, rejected: s.rejected, duplicates: s.duplicates }),
    });
    bar?.update(size);
    bar?.stop();
    printSummary(summary, elapsed());
    return 0;
  } finally {
    await knex.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
