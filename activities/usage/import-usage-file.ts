/**
 * Import of a usage file (CSV with a header: record_id, msisdn, usage_type, start_time, quantity,
 * destination and optionally source), streamed and stored in batches. A record without a record id,
 * or one the CSV parser cannot read, is stored as rejected under `record-<n>` (its number in the
 * file, header excluded), so no record is ever lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { CsvReader, CsvRecord } from '../../domain/usage/csv-reader';
import type { RawUsage } from '../../domain/usage/usage-input';
import { addOutcomes, emptySummary, ImportSummary } from './import-summary';
import { DuplicateHint, IngestItem, prepareUsageBatch, storeUsageBatch, TariffCache } from './ingest-usage';

export interface ImportFileOptions {
  /** Source of the records that name none; default the file's name. */
  source?: string;
  batchSize?: number;
  now: () => Date;
  /** Called after each stored batch with the bytes read so far. */
  onProgress?: (bytesRead: number, summary: ImportSummary) => void;
}

const REQUIRED = ['record_id', 'msisdn', 'usage_type', 'start_time', 'quantity'] as const;
const OPTIONAL = ['destination', 'source'] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

/** Where each column is, from the header line; a file without the required columns is refused. */
function columnsOf(header: string[]): Record<Column, number> {
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (missing.length) throw new Error(`not a usage file: the header lacks ${missing.join(', ')}`);
  return Object.fromEntries([...REQUIRED, ...OPTIONAL].map((c) => [c, names.indexOf(c)])) as Record<Column, number>;
}

// Arrays rather than objects per record: the parser does half the work.
const rawOf = (r: string[], c: Record<Column, number>): RawUsage => ({
  source: c.source < 0 ? undefined : r[c.source],
  recordId: r[c.record_id],
  msisdn: r[c.msisdn],
  usageType: r[c.usage_type],
  startTime: r[c.start_time],
  quantity: r[c.quantity],
  destination: c.destination < 0 ? undefined : r[c.destination],
});

/** Imports a CSV usage file; throws (before storing anything) when the file cannot be read. */
export async function importUsageFile(knex: Knex, file: string, opts: ImportFileOptions): Promise<ImportSummary> {
  await fs.promises.access(file, fs.constants.R_OK);
  const source = opts.source ?? path.basename(file);
  const batchSize = opts.batchSize ?? 10_000;
  const tariffs: TariffCache = new Map();
  const duplicates: DuplicateHint = { expected: false };
  const summary = emptySummary();
  const input = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const reader = new CsvReader();
  const items: IngestItem[] = [];
  let records = 0;
  let columns: Record<Column, number> | undefined;
  const add = (record: CsvRecord): void => {
    if (!Array.isArray(record)) {
      records++;
      items.push({ raw: { source }, fallbackRecordId: `record-${records}`, rejectAs: `unreadable CSV record: ${record.error}` });
    } else if (!columns) columns = columnsOf(record);
    else {
      records++;
      items.push({ raw: rawOf(record, columns), fallbackRecordId: `record-${records}` });
    }
  };

  // One batch is stored (rated against its locked counters, COPYed, committed) while the next is
  // read, validated and placed: PostgreSQL and this process work at the same time, a core each.
  let storing: Promise<void> = Promise.resolve();
  const store = async (batch: IngestItem[]): Promise<void> => {
    const ingest = { source, now: opts.now(), tariffs, duplicates };
    const preparing = prepareUsageBatch(knex, batch, ingest);
    preparing.catch(() => undefined); // awaited below, once the batch before is stored
    await storing;
    storing = preparing.then(async (prepared) => {
      addOutcomes(summary, await storeUsageBatch(knex, prepared, ingest));
      opts.onProgress?.(input.bytesRead, summary);
    });
    storing.catch(() => undefined); // awaited on the next batch or at the end
  };

  const take = async (chunk: CsvRecord[]): Promise<void> => {
    for (const record of chunk) {
      add(record);
      if (items.length >= batchSize) await store(items.splice(0));
    }
  };
  for await (const text of input as AsyncIterable<string>) await take(reader.push(text));
  await take(reader.end());
  if (items.length) await store(items.splice(0));
  await storing;
  return summary;
}
