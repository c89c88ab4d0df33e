/**
 * Import of a usage file (CSV with a header: record_id, msisdn, usage_type, start_time, quantity,
 * destination and optionally source), streamed and stored in batches. A line the CSV parser cannot
 * read is stored as rejected too (record id `line-<n>`), so no line is ever lost.
 */
import { parse } from 'csv-parse';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { RawUsage } from '../../domain/usage/usage-input';
import { addOutcomes, emptySummary, ImportSummary } from './import-summary';
import { ingestUsageBatch, IngestItem, TariffCache } from './ingest-usage';

export interface ImportFileOptions {
  /** Source of the records that name none; default the file's name. */
  source?: string;
  batchSize?: number;
  now: () => Date;
  /** Called after each stored batch with the bytes read so far. */
  onProgress?: (bytesRead: number, summary: ImportSummary) => void;
}

type CsvRow = Record<string, string | undefined>;

const rawOf = (r: CsvRow): RawUsage => ({
  source: r.source,
  recordId: r.record_id,
  msisdn: r.msisdn,
  usageType: r.usage_type,
  startTime: r.start_time,
  quantity: r.quantity,
  destination: r.destination,
});

/** Imports a CSV usage file; throws (before storing anything) when the file cannot be read. */
export async function importUsageFile(knex: Knex, file: string, opts: ImportFileOptions): Promise<ImportSummary> {
  await fs.promises.access(file, fs.constants.R_OK);
  const source = opts.source ?? path.basename(file);
  const batchSize = opts.batchSize ?? 10_000;
  const tariffs: TariffCache = new Map();
  const summary = emptySummary();
  const input = fs.createReadStream(file);
  const parser = parse({ columns: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true, skip_records_with_error: true });
  const items: IngestItem[] = [];
  parser.on('skip', (err: Error & { lines?: number }) => {
    items.push({ raw: { source }, fallbackRecordId: `line-${err.lines ?? 'unknown'}`, rejectAs: `unreadable CSV line: ${err.message}` });
  });

  // One batch is stored while the next is parsed: PostgreSQL and the parser use a core each.
  let storing: Promise<void> = Promise.resolve();
  const store = (batch: IngestItem[]) => {
    const previous = storing;
    storing = previous.then(async () => {
      addOutcomes(summary, await ingestUsageBatch(knex, batch, { source, now: opts.now(), tariffs }));
      opts.onProgress?.(input.bytesRead, summary);
    });
  };

  input.pipe(parser);
  for await (const { record, info } of parser as AsyncIterable<{ record: CsvRow; info: { lines: number } }>) {
    items.push({ raw: rawOf(record), fallbackRecordId: `line-${info.lines}` });
    if (items.length >= batchSize) {
      await storing;
      store(items.splice(0));
      storing.catch(() => undefined); // awaited on the next batch or at the end
    }
  }
  if (items.length) store(items.splice(0));
  await storing;
  return summary;
}
