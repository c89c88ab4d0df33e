/**
 * Usage ingestion benchmark (`npm run bench -- billing`): N postpaid accounts (made straight in
 * the database) × M usage records in a CSV file, imported with rating (allowances, tariffs,
 * duplicates, one transaction per batch) by the `import-usage` command an operator runs (the
 * npm script's own command line, node flags included, as a child process), and compared with a
 * bare `COPY` of the same file into the same database. BENCH_USAGE_ACCOUNTS and
 * BENCH_USAGE_RECORDS scale it (10,000 × 200).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
import { from as copyFrom } from 'pg-copy-streams';
import { importUsageFile } from '../activities/usage/import-usage-file';
import { createKnex } from '../db/knex';
import { migrateAndSeed } from '../db/setup';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { freePort } from '../test/helpers/ports';
import { byCommandLine, cpuSpent, ProcessGroup, readCpu, reapedChildrenCpu } from './cpu';
import { createPostpaidSubscribers, POSTPAID_20_ALLOWANCES } from './postpaid-subscribers';
import { mulberry32 } from '../domain/seeded-random';

export interface UsageBenchOptions {
  accounts: number;
  recordsPerAccount: number;
  /** Records in time order across accounts (BENCH_USAGE_ORDER=interleaved) instead of grouped by account. */
  interleaved?: boolean;
  /** An existing database (migrated and seeded); by default an embedded one is started. */
  databaseUrl?: string;
  log?: (msg: string) => void;
}

export interface UsageBenchResult {
  records: number;
  /** CPU seconds of the import process and of PostgreSQL while importing with rating. */
  ingestCpu: { node: number; postgres: number };
  ingestSeconds: number;
  ingestRate: number;
  copySeconds: number;
  copyRate: number;
  ok: boolean;
}

const DESTINATIONS = ['+34612345678', '+34912345678', '+34806123456', '+441632960000', '+34900123456'];
const CYCLE_START_MS = Date.parse('2026-11-01T00:00:00Z');
const CYCLE_SPAN_MS = 27 * 86_400_000;

/**
 * Writes the CSV: per account, 60 % data (up to 250 MB), 30 % calls (up to 10 minutes), 10 % SMS.
 * Grouped by account (an account's records together), or with `interleaved` as a mediation file in
 * time order would have them: one record of every account, then the next of every account.
 */
async function writeUsageFile(file: string, msisdns: string[], perAccount: number, interleaved = false): Promise<void> {
  const random = mulberry32(42);
  const out = fs.createWriteStream(file);
  out.write('record_id,msisdn,usage_type,start_time,quantity,destination\n');
  let chunk = '';
  const outer = interleaved ? perAccount : msisdns.length;
  const inner = interleaved ? msisdns.length : perAccount;
  for (let o = 0; o < outer; o++) {
    for (let n = 0; n < inner; n++) {
      const [a, i] = interleaved ? [n, o] : [o, n];
      const r = random();
      const start = new Date(CYCLE_START_MS + Math.floor(random() * CYCLE_SPAN_MS)).toISOString();
      const dest = DESTINATIONS[Math.floor(random() * DESTINATIONS.length)];
      const line =
        r < 0.6
          ? `${a}-${i},${msisdns[a]},data,${start},${Math.floor(random() * 250 * 1_048_576)},`
          : r < 0.9
            ? `${a}-${i},${msisdns[a]},voice,${start},${Math.floor(random() * 600)},${dest}`
            : `${a}-${i},${msisdns[a]},sms,${start},1,${dest}`;
      chunk += `${line}\n`;
    }
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', () => resolve(undefined)));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise((resolve, reject) => out.once('finish', () => resolve(undefined)).once('error', reject));
}

/** The floor: the same file into a plain table of text columns, with COPY and nothing else. */
async function bareCopy(knex: Knex, file: string): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS bench_usage_copy');
  await knex.raw('CREATE UNLOGGED TABLE bench_usage_copy (record_id text, msisdn text, usage_type text, start_time text, quantity text, destination text)');
  await knex.raw('ALTER TABLE bench_usage_copy SET LOGGED');
  const conn = await knex.client.acquireConnection();
  try {
    await pipeline(fs.createReadStream(file), conn.query(copyFrom('COPY bench_usage_copy FROM STDIN WITH (FORMAT csv, HEADER true)')));
  } finally {
    await knex.client.releaseConnection(conn);
  }
}

async function checkResults(knex: Knex, records: number, log: (msg: string) => void): Promise<boolean> {
  const states = await knex('usage_record').select('state').count<{ state: string; count: string }[]>('* as count').groupBy('state');
  const over = await knex('usage_allowance_counter').where({ usage_type: 'data' }).andWhere('used', '>', POSTPAID_20_ALLOWANCES.dataOctets).count<{ count: string }[]>('* as count');
  const rated = Number(states.find((s) => s.state === 'rated')?.count ?? 0);
  log(`  states: ${states.map((s) => `${s.state} ${s.count}`).join(', ')}; data counters over the allowance: ${over[0].count}`);
  return rated === records && Number(over[0].count) === 0;
}

/** BENCH_USAGE_TRACE=1: time spent per kind of statement (its first words), printed at the end. */
function traceStatements(knex: Knex, log: (msg: string) => void, stops: Array<() => Promise<void>>): void {
  const started = new Map<string, bigint>();
  const spent = new Map<string, { n: number; ms: number }>();
  knex.on('query', (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, process.hrtime.bigint()));
  knex.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
    const kind = q.sql.replace(/\s+/g, ' ').trim().slice(0, 60);
    const s = spent.get(kind) ?? { n: 0, ms: 0 };
    s.n++;
    s.ms += Number(process.hrtime.bigint() - (started.get(q.__knexQueryUid) ?? process.hrtime.bigint())) / 1e6;
    spent.set(kind, s);
    started.delete(q.__knexQueryUid);
  });
  stops.push(async () => {
    for (const [kind, s] of [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) log(`  ${s.ms.toFixed(0).padStart(8)} ms ${String(s.n).padStart(6)}× ${kind}`);
  });
}

const ROOT = path.join(__dirname, '..');

/**
 * Runs `npm run import-usage -- FILE --source bench` as its script says (node and its flags), but
 * without npm in between, so the CPU measured is the importer's alone. Returns its output.
 */
async function runImportUsage(databaseUrl: string, file: string): Promise<string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = pkg.scripts['import-usage'].split(/\s+/);
  if (command !== 'node') throw new Error(`import-usage script does not start with node: ${pkg.scripts['import-usage']}`);
  // BENCH_USAGE_BATCH: the importer's --batch (records per batch; its default 10,000 otherwise).
  const batch = process.env.BENCH_USAGE_BATCH ? ['--batch', process.env.BENCH_USAGE_BATCH] : [];
  const { stdout } = await promisify(execFile)(process.execPath, [...args, file, '--source', 'bench', ...batch], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } });
  return stdout.trim();
}

/** Runs the ingestion half of the billing benchmark and prints its figures. */
export async function benchUsageIngestion(opts: UsageBenchOptions): Promise<UsageBenchResult> {
  const log = opts.log ?? console.log;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bss-usage-bench-'));
  fs.chmodSync(workDir, 0o755); // PostgreSQL runs as its own OS user and must reach its data folder
  const stops: Array<() => Promise<void>> = [async () => fs.rmSync(workDir, { recursive: true, force: true })];
  try {
    let url = opts.databaseUrl;
    const groups: ProcessGroup[] = [];
    if (!url) {
      // Backends of the importer's connections exit with it: the postmaster's reaped children count too.
      groups.push(byCommandLine('postgres', path.join(workDir, 'postgres'), true, true));
      log(`starting PostgreSQL in ${workDir}…`);
      const pg = await startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port: await freePort(), password: randomBytes(12).toString('hex'), database: 'bss_bench' });
      stops.push(pg.stop);
      url = pg.url;
    }
    const knex = createKnex(url, { max: 4 });
    stops.push(() => knex.destroy());
    if (process.env.BENCH_USAGE_TRACE) traceStatements(knex, log, stops);
    if (!opts.databaseUrl) await migrateAndSeed(knex);

    const records = opts.accounts * opts.recordsPerAccount;
    log(`creating ${opts.accounts} postpaid accounts…`);
    const msisdns = Array.from({ length: opts.accounts }, (_, i) => `+3479${String(i).padStart(7, '0')}`);
    await createPostpaidSubscribers(knex, msisdns.map((msisdn, i) => ({ msisdn, billCycleDay: 1 + (i % 28) })), new Date());
    const file = path.join(workDir, 'usage.csv');
    log(`writing ${records} usage records…`);
    await writeUsageFile(file, msisdns, opts.recordsPerAccount, opts.interleaved);
    log(`  ${(fs.statSync(file).size / 1_048_576).toFixed(0)} MB`);

    log('bare COPY of the file…');
    let t = process.hrtime.bigint();
    await bareCopy(knex, file);
    const copySeconds = Number(process.hrtime.bigint() - t) / 1e9;
    await knex.raw('DROP TABLE bench_usage_copy');

    // Traced, the import runs in this process (its statements go through this knex), with this process's node flags.
    const traced = !!process.env.BENCH_USAGE_TRACE;
    log(traced ? 'importing with rating (in this process, traced)…' : 'importing with rating (npm run import-usage)…');
    const cpuBefore = readCpu(groups);
    const ownBefore = process.cpuUsage();
    const importerBefore = reapedChildrenCpu();
    t = process.hrtime.bigint();
    if (traced) await importUsageFile(knex, file, { source: 'bench', now: () => new Date() });
    else log(`  ${(await runImportUsage(url, file)).split('\n')[0]}`);
    const ingestSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    const cpu = cpuSpent(cpuBefore, readCpu(groups));
    const own = process.cpuUsage(ownBefore);
    // The importer has exited and been waited for: its CPU time is now this process's children's.
    const importerCpu = traced ? (own.user + own.system) / 1e6 : reapedChildrenCpu() - importerBefore;
    const ingestCpu = { node: importerCpu, postgres: cpu.get('postgres') ?? 0 };
    const ok = await checkResults(knex, records, log);

    const result = { records, ingestCpu, ingestSeconds, ingestRate: records / ingestSeconds, copySeconds, copyRate: records / copySeconds, ok };
    log(`usage ingestion with rating: ${Math.round(result.ingestRate)} records/s (${ingestSeconds.toFixed(1)} s for ${records})`);
    // On a shared machine wall time measures the neighbours; CPU time says what 2 free cores would do
    // (the parser and rating here, PostgreSQL beside it, overlapping batch by batch).
    const busiest = Math.max(ingestCpu.node, ingestCpu.postgres, (ingestCpu.node + ingestCpu.postgres) / 2);
    const perRecord = (seconds: number) => ((seconds / records) * 1e6).toFixed(1);
    log(`  CPU: import process ${ingestCpu.node.toFixed(1)} s (${perRecord(ingestCpu.node)} µs/record), PostgreSQL ${ingestCpu.postgres.toFixed(1)} s (${perRecord(ingestCpu.postgres)} µs/record) → on 2 free cores about ${Math.round(records / busiest)} records/s`);
    log(`bare COPY of the same file:  ${Math.round(result.copyRate)} records/s (${copySeconds.toFixed(1)} s)`);
    log(`ratio: ${(result.ingestRate / result.copyRate).toFixed(3)} of COPY; target 50000 records/s: ${result.ingestRate >= 50_000 ? 'met' : 'not met'}`);
    return result;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/** The `billing` entry of `npm run bench`: the ingestion half. */
export async function usageIngestionBench(): Promise<boolean> {
  const accounts = Number(process.env.BENCH_USAGE_ACCOUNTS ?? 10_000);
  const recordsPerAccount = Number(process.env.BENCH_USAGE_RECORDS ?? 200);
  return (await benchUsageIngestion({ accounts, recordsPerAccount, interleaved: process.env.BENCH_USAGE_ORDER === 'interleaved', databaseUrl: process.env.BENCH_DATABASE_URL })).ok;
}
