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
import { DuplicateHint, IngestItem, IngestOptions, prepareUsageBatch, storeUsageBatch, TariffCache } from './ingest-usage';

export interface ImportFileOptions {
  /** Source of the records that name none; default the file's name. */
  source?: string;
  batchSize?: number;
  /** Batches stored at once, each in its own transaction (default 2; 1 stores them one after another). */
  storesInFlight?: number;
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
  const storesInFlight = Math.max(1, opts.storesInFlight ?? 2);
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

  // Batches are stored while the next is read, validated and placed, and several are stored at
  // once, each in its own transaction: while one waits for its rows to be COPYed and committed,
  // the next is rated and sent, so PostgreSQL and this process each keep a core busy. Allowances
  // are still spent in file order: a batch locks its counters only after the batch before holds
  // its own, and one that shares a counter with it waits on that row lock (counters are locked in
  // key order) until the batch before commits, then rates against what it left.
  const inFlight: Array<Promise<void>> = [];
  let previousLocked: Promise<void> = Promise.resolve();
  const store = async (batch: IngestItem[]): Promise<void> => {
    let locked!: () => void;
    const ingest: IngestOptions = { source, now: opts.now(), tariffs, duplicates, lockAfter: previousLocked, onLocked: () => locked() };
    previousLocked = new Promise<void>((resolve) => (locked = resolve));
    const preparing = prepareUsageBatch(knex, batch, ingest);
    preparing.catch(() => undefined); // awaited below, once there is room to store it
    while (inFlight.length >= storesInFlight) await inFlight.shift();
    const storing = preparing
      .then(async (prepared) => {
        addOutcomes(summary, await storeUsageBatch(knex, prepared, ingest));
        opts.onProgress?.(input.bytesRead, summary);
      })
      .finally(() => locked()); // a batch that failed before locking holds up no other
    storing.catch(() => undefined); // awaited when room is needed or at the end
    inFlight.push(storing);
  };

  const take = async (chunk: CsvRecord[]): Promise<void> => {
    for (const record of chunk) {
      add(record);
      if (items.length >= batchSize) await store(items.splice(0));
    }
  };
  try {
    for await (const text of input as AsyncIterable<string>) await take(reader.push(text));
    await take(reader.end());
    if (items.length) await store(items.splice(0));
    for (const storing of inFlight) await storing;
  } catch (err) {
    // No transaction is left running behind the error: the caller may close the pool next.
    await Promise.allSettled(inFlight);
    input.destroy();
    throw err;
  }
  return summary;
}
