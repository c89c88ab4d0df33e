/**
 * The OCS benchmark: 1,000 prepaid subscribers, sessions of one initial request, three updates
 * and a termination, sent by many concurrent clients through each protocol front end (a driver
 * per front end: Nchf over HTTP/2 and Diameter Gy) to the OCS in its own
 * process (`ocs/main.ts`, as in production). For each driver: requests/s at full load, and p50/p99
 * at full and at half that load; the floor, measured in the same run on the same database, is
 * raw conditional debits (`UPDATE … SET balance = balance - x WHERE id = $1 AND balance >= x`)
 * from as many clients, and the same debits sent at the half-load rate (the latency the machine
 * itself allows there). Before measuring, WAL segments are written and recycled (recycleWal), so
 * the runs see a database that has been running, not a new one. Then it checks the ledger: every
 * session debited exactly once, nothing left reserved, every bucket reconciled.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import { createKnex } from '../db/knex';
import { migrateAndSeed } from '../db/setup';
import { money } from '../domain/money';
import { reconcileLedger } from '../ocs/engine/reconcile';
import { gyDriver } from '../network/gy-driver';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { forkOcs, type OcsProcess } from '../test/helpers/ocs-process';
import { freePort } from '../test/helpers/ports';
import { byCommandLine, cpuSpent, readCpu, reapedChildrenCpu, type ProcessGroup } from './cpu';
import { FLUSH_HEADINGS, flushFigures, probeFlushes, walFlushes } from './disk';
import { nativeGyLoad } from './gy-native';
import { percentile, table } from './stats';

const SUBSCRIBERS = Number(process.env.BENCH_OCS_SUBSCRIBERS ?? 1000);
const SESSIONS = Number(process.env.BENCH_OCS_SESSIONS ?? 4000);
/**
 * Sessions in flight at full load (and requests: a session's next follows its answer). Enough to
 * keep the two cores busy: with 200, Gy's closed loop was bound by its own latency (each answer
 * waits for its batch's commit) and left a quarter of the cores idle, 7,300-7,800 req/s where 600
 * reached 10,400-13,300 on the same spell (docs/ocs-performance.md).
 */
const CONCURRENCY = Number(process.env.BENCH_OCS_CONCURRENCY ?? 600);
const POOL = Number(process.env.BENCH_OCS_POOL ?? 20);
/**
 * Sessions each front end runs before it is measured, so that the OCS is measured as it runs once
 * V8 has optimized its hot functions (as it has done long before in a process that has run a while).
 * The compiler's work grows with the machine's slowness: 2,000 sessions left its threads busy
 * through the measured runs on a slow spell (TurboFan took 3.6 s of CPU in all), costing the OCS a
 * tenth more CPU per request.
 */
const WARM_UP_SESSIONS = Number(process.env.BENCH_OCS_WARM_UP ?? 8000);
/** How often the warm-up reads the OCS's metrics (warmUp). */
const WARM_UP_SCRAPE_MS = 500;
/** WAL written before measuring and kept for reuse (recycleWal); more than a default run writes. */
const WAL_MB = Number(process.env.BENCH_OCS_WAL_MB ?? 512);
/** Pay-as-you-go (seed catalog): calls 0.12 EUR/min at peak, first minute whole, then per second. */
const PAYG = { id: '0ffe0000-0000-4000-8000-000000000002', version: '1.0' };
/** A Wednesday at noon in Madrid: national peak. */
const EVENT_TIME = '2026-11-04T11:00:00Z';
/** A session uses 60 s four times: 0.12 + 180 × 0.002 = 0.48 EUR. */
const SESSION_COST = '0.48';
const REQUESTS_PER_SESSION = 5;
const START_BALANCE = '1000000.00';

/** One subscriber as the drivers address it. */
export interface BenchSubscriber {
  index: number;
  msisdn: string;
  imsi: string;
}

/** How a load is played: `concurrency` sessions in flight (closed loop), or paced at `sessionsPerSecond` (open loop). */
interface LoadShape {
  concurrency: number;
  sessionsPerSecond?: number;
}

/**
 * A protocol front end: it runs one whole session and reports each request's latency (ms), which
 * runLoad plays as a load; or it plays a whole load by itself (the C load generator).
 */
export type FrontEndDriver = {
  name: string;
  open(): Promise<void>;
  /** The speed targets this front end is held to, printed as met or not after the run. */
  targets?: { perSecond: number; halfLoadP99Ms: number };
  close(): Promise<void>;
} & ({ runSession(sub: BenchSubscriber, record: (ms: number) => void): Promise<void> } | { runLoad(subs: BenchSubscriber[], sessions: number, opts: LoadShape): Promise<LoadFigures> });

/** Nchf_ConvergedCharging over HTTP/2: a few connections, many concurrent streams on each. */
export function nchfDriver(port: number, connections = 4): FrontEndDriver {
  const clients: http2.ClientHttp2Session[] = [];
  let next = 0;
  const post = (path: string, body: unknown): Promise<{ status: number; location?: string; body: string }> =>
    new Promise((resolve, reject) => {
      const client = clients[next++ % clients.length];
      const stream = client.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
      let status = 0;
      let location: string | undefined;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
        location = h.location as string | undefined;
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('end', () => resolve({ status, location, body: Buffer.concat(chunks).toString('utf8') }));
      stream.end(JSON.stringify(body));
    });
  const base = '/nchf-convergedcharging/v3/chargingdata';
  let sessions = 0;
  // Every call of the bench starts at the same instant: its IMS charging identifier tells them apart.
  const body = (sub: BenchSubscriber, call: string, n: number, unit: Record<string, unknown>) => ({
    subscriberIdentifier: `msisdn-${sub.msisdn.slice(1)}`,
    nfConsumerIdentification: { nodeFunctionality: 'IMS_NODE' },
    invocationTimeStamp: EVENT_TIME,
    invocationSequenceNumber: n,
    iMSChargingInformation: { iMSChargingIdentifier: call, calledPartyAddress: 'tel:+34612345678' },
    multipleUnitUsage: [{ ratingGroup: 100, ...unit }],
  });
  const timed = async (record: (ms: number) => void, path: string, b: unknown, expected: number) => {
    const t0 = performance.now();
    const r = await post(path, b);
    record(performance.now() - t0);
    if (r.status !== expected) throw new Error(`Nchf ${path}: ${r.status} ${r.body}`);
    return r;
  };
  return {
    name: 'Nchf (HTTP/2)',
    async open() {
      for (let i = 0; i < connections; i++) {
        const c = http2.connect(`http://127.0.0.1:${port}`);
        await new Promise<void>((resolve, reject) => c.once('connect', () => resolve()).once('error', reject));
        clients.push(c);
      }
    },
    async runSession(sub, record) {
      const call = `bench.nchf;${process.pid};${++sessions}`;
      const created = await timed(record, base, body(sub, call, 0, { requestedUnit: { time: 60 } }), 201);
      const ref = created.location!.split('/').pop()!;
      for (let n = 1; n <= 3; n++) await timed(record, `${base}/${ref}/update`, body(sub, call, n, { requestedUnit: { time: 60 }, usedUnitContainer: [{ time: 60 }] }), 200);
      await timed(record, `${base}/${ref}/release`, body(sub, call, 4, { usedUnitContainer: [{ time: 60 }] }), 204);
    },
    async close() {
      for (const c of clients) c.close();
    },
  };
}

/** Gy's targets on these 2 cores: 10,000 requests/s, and a p99 under 10 ms at half the load reached. */
const GY_TARGETS = { perSecond: 10_000, halfLoadP99Ms: 10 };

/**
 * Diameter Gy: CCR-I, three CCR-U and a CCR-T, played by the C load generator (bench/gy-native.ts),
 * or with BENCH_OCS_GY_CLIENT=node through the traffic generator's Gy driver, which spends 25-50 µs
 * of the two cores per request where the C one spends a few.
 */
export function gyBenchDriver(port: number, subs: BenchSubscriber[], connections = 4): FrontEndDriver {
  const driver = process.env.BENCH_OCS_GY_CLIENT === 'node' ? gyNodeDriver(port, connections) : gyNativeDriver(port, subs, connections);
  return { ...driver, targets: GY_TARGETS };
}

/** Gy through the C load generator. */
function gyNativeDriver(port: number, subs: BenchSubscriber[], connections: number): FrontEndDriver {
  const load = nativeGyLoad({ port, connections, originHost: 'bench.gy.local', originRealm: 'gy.local', destinationRealm: 'bss.local', msisdns: subs.map((s) => s.msisdn), destination: '+34612345678', eventTime: new Date(EVENT_TIME) });
  return {
    name: 'Gy (Diameter)',
    async open() {},
    runLoad: (_subs, sessions, opts) => load.run({ sessions, ...opts }),
    async close() {
      load.close();
    },
  };
}

/** Gy through the traffic generator's Gy driver (Node). */
function gyNodeDriver(port: number, connections: number): FrontEndDriver {
  const gy = gyDriver({ host: '127.0.0.1', port, connections, originHost: 'bench.gy.local', originRealm: 'gy.local', destinationRealm: 'bss.local' });
  let sessions = 0;
  return {
    name: 'Gy (Diameter)',
    async open() {},
    async runSession(sub, record) {
      const result = await gy.runSession({
        sessionId: `bench.gy.local;${process.pid};${++sessions}`,
        subscriber: { msisdn: sub.msisdn },
        service: 'voice',
        destination: '+34612345678',
        startTime: new Date(EVENT_TIME),
        updates: 3,
        requested: 60n,
        usedPerStep: 60n,
      });
      for (const r of result.requests) {
        record(r.doneAt - r.submittedAt);
        if (r.resultCode !== 2001 || (r.unitResultCode !== undefined && r.unitResultCode !== 2001)) throw new Error(`Gy ${r.type}: ${r.resultCode}/${r.unitResultCode}`);
      }
      if (result.requests.length !== REQUESTS_PER_SESSION) throw new Error(`Gy session of ${result.requests.length} requests`);
    },
    close: () => gy.close(),
  };
}

interface LoadFigures {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `sessions` sessions with `concurrency` in flight (closed loop), or paced at `sessionsPerSecond` (open loop). */
async function runLoad(driver: FrontEndDriver, subs: BenchSubscriber[], sessions: number, opts: LoadShape): Promise<LoadFigures> {
  if ('runLoad' in driver) return driver.runLoad(subs, sessions, opts);
  const latencies: number[] = [];
  const record = (ms: number) => latencies.push(ms);
  // A subscriber has one session at a time: worker w takes subscribers w, w + C, w + 2C …
  const busy = new Set<number>();
  let started = 0;
  const t0 = performance.now();
  const one = async (i: number) => {
    let sub = subs[i % subs.length];
    while (busy.has(sub.index)) sub = subs[(sub.index + 1) % subs.length];
    busy.add(sub.index);
    try {
      await driver.runSession(sub, record);
    } finally {
      busy.delete(sub.index);
    }
  };
  if (opts.sessionsPerSecond) {
    const inFlight: Promise<void>[] = [];
    while (started < sessions) {
      const due = Math.min(sessions, Math.floor(((performance.now() - t0) / 1000) * opts.sessionsPerSecond) + 1);
      while (started < due) inFlight.push(one(started++));
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(inFlight);
  } else {
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (started < sessions) await one(started++);
      }),
    );
  }
  const wall = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, perSecond: latencies.length / (wall / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * The floor: raw conditional debits from `clients` connections, `count` in all: `concurrency` in
 * flight (closed loop), or sent at `perSecond` as they fall due (open loop, as the half-load runs).
 */
export async function floorLoad(url: string, count: number, clients: number, concurrency: number, perSecond?: number): Promise<LoadFigures> {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_floor_balance (id int PRIMARY KEY, balance numeric(30,6) NOT NULL)');
    await pool.query('TRUNCATE bench_floor_balance');
    await pool.query(`INSERT INTO bench_floor_balance SELECT g, ${START_BALANCE} FROM generate_series(0, ${SUBSCRIBERS - 1}) g`);
    const latencies: number[] = [];
    let issued = 0;
    const debit = async () => {
      const id = issued++ % SUBSCRIBERS;
      const s = performance.now();
      const r = await pool.query({ name: 'floor_debit', text: 'UPDATE bench_floor_balance SET balance = balance - $2 WHERE id = $1 AND balance >= $2', values: [id, '0.12'] });
      latencies.push(performance.now() - s);
      if (r.rowCount !== 1) throw new Error('floor debit refused');
    };
    // Connections opened before the clock starts (each costs a SCRAM handshake), as a running system has them.
    const opened = await Promise.all(Array.from({ length: clients }, () => pool.connect()));
    for (const client of opened) client.release();
    const t0 = performance.now();
    if (perSecond) {
      const sent: Promise<void>[] = [];
      while (issued < count) {
        const due = Math.min(count, Math.floor(((performance.now() - t0) / 1000) * perSecond) + 1);
        while (issued < due) sent.push(debit());
        await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(sent);
    } else {
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (issued < count) await debit();
        }),
      );
    }
    const wall = performance.now() - t0;
    latencies.sort((a, b) => a - b);
    const total = await pool.query('SELECT sum(balance)::text AS s FROM bench_floor_balance');
    const expected = money(START_BALANCE).times(SUBSCRIBERS).minus(money('0.12').times(count));
    if (!money(total.rows[0].s).eq(expected)) throw new Error(`floor lost debits: ${total.rows[0].s} ≠ ${expected.toString()}`);
    return { requests: count, perSecond: count / (wall / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await pool.end();
  }
}

/** 1,000 prepaid lines on Pay-as-you-go, each with its own account and money bucket, in a few statements. */
export async function createSubscribers(pool: pg.Pool): Promise<BenchSubscriber[]> {
  await pool.query(`
    WITH n AS (SELECT g, md5('bench-' || g)::uuid AS account, md5('bench-product-' || g)::uuid AS product FROM generate_series(0, $1 - 1) g),
    a AS (INSERT INTO charging_account (id, customer_id, billing_account_id, currency, status, origin, created_at)
          SELECT account, 'bench-' || g, account, 'EUR', 'active', 'bench:' || g, now() FROM n RETURNING id),
    p AS (INSERT INTO product_inventory (id, customer_id, body)
          SELECT product, 'bench-' || g, jsonb_build_object('id', product, 'status', 'active', 'productOffering', $2::jsonb, 'productPrice', '[]'::jsonb) FROM n RETURNING id)
    SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM p)`, [SUBSCRIBERS, JSON.stringify(PAYG)]);
  await pool.query(`
    INSERT INTO charging_bucket (id, charging_account_id, bucket_type, unit, initial, balance, priority, valid_from, origin, created_at)
    SELECT md5('bench-bucket-' || g)::uuid, md5('bench-' || g)::uuid, 'money', 'EUR', $2, $2, 100, '2026-01-01', 'bench:money:' || g, now() FROM generate_series(0, $1 - 1) g`, [SUBSCRIBERS, START_BALANCE]);
  await pool.query(`
    INSERT INTO charging_subscriber (msisdn, imsi, charging_account_id, product_id, status, created_at)
    SELECT '+3460' || lpad(g::text, 7, '0'), '21401' || lpad(g::text, 10, '0'), md5('bench-' || g)::uuid, md5('bench-product-' || g)::uuid::text, 'active', now()
    FROM generate_series(0, $1 - 1) g`, [SUBSCRIBERS]);
  return Array.from({ length: SUBSCRIBERS }, (_, i) => ({ index: i, msisdn: `+3460${String(i).padStart(7, '0')}`, imsi: `21401${String(i).padStart(10, '0')}` }));
}

/**
 * Counters of the OCS's batches, as its metrics give them (sums in seconds), with its time in
 * garbage collection and how late its event loop ran since the scrape before (prom-client starts
 * those figures afresh at each scrape): the p99 of the intervals its timer measured, less the
 * shortest one (the timer's own period).
 */
type BatchCounters = { batches: number; requests: number; read: number; reads: number; write: number; writes: number; writtenWithin: Map<number, number>; conflicts: number; answered: Map<number, number>; gc: number; lagP99: number };

async function batchCounters(metricsPort: number): Promise<BatchCounters> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    batches: value('ocs_batch_requests_count'),
    requests: value('ocs_batch_requests_sum'),
    read: value('ocs_batch_statement_duration_seconds_sum{statement="read"}'),
    reads: value('ocs_batch_statement_duration_seconds_count{statement="read"}'),
    write: value('ocs_batch_statement_duration_seconds_sum{statement="write"}'),
    writes: value('ocs_batch_statement_duration_seconds_count{statement="write"}'),
    writtenWithin: within(text, 'ocs_batch_statement_duration_seconds', (labels) => labels.includes('statement="write"')),
    conflicts: value('ocs_batch_conflicts_total'),
    answered: within(text, 'ocs_charge_duration_seconds'),
    gc: [...text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm)].reduce((sum, [, seconds]) => sum + Number(seconds), 0),
    lagP99: value('nodejs_eventloop_lag_p99_seconds') - value('nodejs_eventloop_lag_min_seconds'),
  };
}

/** How many observations of a histogram (its series whose labels `match`, summed) fell within each bound, by bound in seconds. */
function within(text: string, histogram: string, match: (labels: string) => boolean = () => true): Map<number, number> {
  const counts = new Map<number, number>();
  for (const [, labels, count] of text.matchAll(new RegExp(`^${histogram}_bucket\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    if (!match(labels)) continue;
    const le = /le="([^"]+)"/.exec(labels)![1];
    const bound = le === '+Inf' ? Infinity : Number(le);
    counts.set(bound, (counts.get(bound) ?? 0) + Number(count));
  }
  return counts;
}

/** The smallest bound of a histogram within which 99 % of the run's observations fell (counts before and after the run). */
function p99Bound(before: Map<number, number>, after: Map<number, number>): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  const bound = bounds.find((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0) >= total * 0.99);
  return bound === undefined || bound === Infinity ? '> 2.5 s' : `≤ ${ms(bound * 1000)}`;
}

/**
 * The batches of one run: how many requests each carried, how many read (the others had all their
 * state cached), the mean time of a read and a write, and the write's p99 (a request waits for a
 * write in flight and then for its own: the tail of the answers is the writes' or the queue's);
 * and what stalls the OCS's event loop.
 */
function batchFigures(before: BatchCounters, after: BatchCounters): string[] {
  const batches = after.batches - before.batches;
  const requests = after.requests - before.requests;
  const reads = after.reads - before.reads;
  const writes = after.writes - before.writes;
  return [
    (requests / batches).toFixed(1),
    `${((reads / batches) * 100).toFixed(0)} %`,
    reads > 0 ? ms(((after.read - before.read) / reads) * 1000) : '-',
    ms(((after.write - before.write) / writes) * 1000),
    p99Bound(before.writtenWithin, after.writtenWithin),
    String(after.conflicts - before.conflicts),
    p99Bound(before.answered, after.answered),
    (((after.gc - before.gc) * 1e6) / requests).toFixed(0),
    ms(after.lagP99 * 1000),
  ];
}

/**
 * Writes `megabytes` of WAL and checkpoints, so that the segments are recycled as the next ones.
 * A new cluster otherwise zero-fills each 16 MB segment as it first reaches it, stalling every
 * commit meanwhile (tens of ms); a database that has run a while renames old segments instead
 * (as many as min_wal_size keeps). The measured runs should see the running database, not the new one.
 */
async function recycleWal(pool: pg.Pool, megabytes: number): Promise<number> {
  // The current segment's number: a file name is timeline, log and segment (8 hex digits each, 256 segments a log).
  const segment = async () => {
    const { rows } = await pool.query<{ name: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS name');
    return parseInt(rows[0].name.slice(8, 16), 16) * 256 + parseInt(rows[0].name.slice(16), 16);
  };
  const first = await segment();
  await pool.query(`SELECT pg_logical_emit_message(false, 'bench', repeat('w', 1048576)) FROM generate_series(1, $1::int)`, [megabytes]);
  const last = await segment();
  await pool.query('CHECKPOINT');
  return last - first;
}

/** Forks the OCS process with the bench's profiling options (see below) and resolves once it serves. */
function forkBenchOcs(env: NodeJS.ProcessEnv, logFile: string): Promise<OcsProcess> {
  // BENCH_CPU_PROFILE=<dir>: the OCS writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.BENCH_CPU_PROFILE)] : [];
  // BENCH_OCS_NODE_OPTIONS: more node options for the OCS (e.g. --trace-gc-nvp, written to its log; see BENCH_KEEP).
  const extra = (process.env.BENCH_OCS_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  return forkOcs(env, { logFile, execArgv: [...profile, ...extra] });
}

/** Every session debited its cost once, nothing reserved or open, every bucket reconciled. */
async function checkLedger(pool: pg.Pool, sessions: number, log: (m: string) => void): Promise<boolean> {
  const debited = await pool.query(`SELECT sum(initial - balance)::text AS debited, sum(reserved)::text AS reserved FROM charging_bucket WHERE origin LIKE 'bench:money:%'`);
  const ledger = await pool.query(`SELECT count(*) FILTER (WHERE kind = 'debit')::int AS debits, sum(amount) FILTER (WHERE kind = 'debit')::text AS amount FROM charging_ledger`);
  const open = await pool.query(`SELECT count(*)::int AS n FROM charging_session WHERE state = 'open'`);
  const differences = await reconcileLedger(pool);
  const expected = money(SESSION_COST).times(sessions);
  const checks: Array<[string, boolean]> = [
    [`debited ${debited.rows[0].debited} = ${sessions} sessions × ${SESSION_COST} = ${expected.toFixed(2)}`, money(debited.rows[0].debited).eq(expected)],
    [`ledger debits sum to the same (${ledger.rows[0].amount})`, money(ledger.rows[0].amount).eq(expected)],
    [`one debit per update and termination: ${ledger.rows[0].debits} = ${sessions * 4}`, ledger.rows[0].debits === sessions * 4],
    [`nothing reserved (${debited.rows[0].reserved})`, money(debited.rows[0].reserved).isZero()],
    [`no session left open (${open.rows[0].n})`, open.rows[0].n === 0],
    [`every bucket reconciles with its ledger (${differences.length} differ)`, differences.length === 0],
  ];
  for (const [what, ok] of checks) log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  return checks.every(([, ok]) => ok);
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

/** The statements PostgreSQL spent most time on during the whole run. */
async function printStatements(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query(`
    SELECT calls, rows, round(total_exec_time) AS total_ms, round((total_exec_time / nullif(calls, 0))::numeric, 3) AS mean_ms,
           shared_blks_hit + shared_blks_read AS blocks, wal_records, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query
    FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8`);
  console.log(table([Object.keys(rows[0] ?? {}), ...rows.map((r) => Object.values(r).map(String))]));
  // Updates that stayed in their page without new index entries (HOT) are the cheap ones.
  const tables = await pool.query(`
    SELECT relname AS table, n_tup_ins AS inserts, n_tup_upd AS updates, n_tup_hot_upd AS hot_updates, n_tup_del AS deletes
    FROM pg_stat_user_tables WHERE relname LIKE 'charging%' ORDER BY relname`);
  console.log(table([Object.keys(tables.rows[0] ?? {}), ...tables.rows.map((r) => Object.values(r).map(String))]));
}

/** `npm run bench -- ocs`. */
export async function ocsBench(): Promise<boolean> {
  const log = (msg: string) => console.log(`[ocs] ${msg}`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bss-ocs-bench-'));
  fs.chmodSync(workDir, 0o755); // PostgreSQL runs as its own OS user and must reach its data folder
  const stops: Array<() => Promise<void>> = [];
  let ok = false;
  try {
    log(`starting PostgreSQL in ${workDir}…`);
    // BENCH_PG_STATEMENTS=1: PostgreSQL's time per statement is printed at the end (pg_stat_statements).
    const statements = process.env.BENCH_PG_STATEMENTS === '1';
    const pgServer = await startEmbeddedPostgres({
      dataDir: path.join(workDir, 'postgres'),
      port: await freePort(),
      password: randomBytes(12).toString('hex'),
      database: 'bss_bench',
      log: () => undefined,
      // min_wal_size: the WAL segments kept for reuse (see recycleWal), as an OCS database is set up (80 MB is PostgreSQL's default).
      // track_wal_io_timing: the time of each WAL flush, for the disk table (bench/disk.ts).
      settings: { min_wal_size: `${Math.max(WAL_MB, 80)}MB`, track_wal_io_timing: 'on', ...(statements ? { shared_preload_libraries: 'pg_stat_statements' } : {}), ...Object.fromEntries((process.env.BENCH_PG_SETTINGS ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string])) },
    });
    stops.push(pgServer.stop);
    const knex = createKnex(pgServer.url);
    await migrateAndSeed(knex);
    await knex.destroy();
    const pool = new pg.Pool({ connectionString: pgServer.url, max: 4 });
    stops.push(() => pool.end());
    if (statements) await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const subs = await createSubscribers(pool);
    log(`${subs.length} prepaid subscribers on Pay-as-you-go, ${START_BALANCE} EUR each`);
    log(`${await recycleWal(pool, WAL_MB)} WAL segments written and recycled, as on a database that has run a while`);
    const probe = probeFlushes(workDir, 2);
    log(`the disk: ${probe.flushes} flushes of 8 KB in 2 s, p50 ${ms(probe.p50)}, p99 ${ms(probe.p99)}, longest ${ms(probe.max)}`);

    const ocs = await forkBenchOcs({ ...process.env, DATABASE_URL: pgServer.url, OCS_NCHF_PORT: '0', OCS_NCHF_HOST: '127.0.0.1', OCS_GY_PORT: '0', OCS_GY_HOST: '127.0.0.1', OCS_METRICS_PORT: '0', OCS_METRICS_HOST: '127.0.0.1', OCS_DB_POOL: String(POOL), LOG_LEVEL: 'warn' }, path.join(workDir, 'ocs.log'));
    stops.push(ocs.stop);
    // BENCH_OCS_DRIVERS=nchf or gy runs one front end only.
    const chosen = (process.env.BENCH_OCS_DRIVERS ?? 'nchf,gy').split(',');
    const drivers: FrontEndDriver[] = [...(chosen.includes('nchf') ? [nchfDriver(ocs.nchfPort)] : []), ...(chosen.includes('gy') ? [gyBenchDriver(ocs.gyPort, subs)] : [])];

    // CPU per request of each process, so a run shows where its time goes (the machine has 2 cores for all three).
    const groups: ProcessGroup[] = [{ name: 'ocs', pids: () => [ocs.pid] }, byCommandLine('postgres', path.join(workDir, 'postgres'), true, true)];
    // BENCH_WAL_FLUSHES=1: PostgreSQL's WAL flushes per run (each reading waits for its statistics: 11 s before and after a run).
    const flushes = process.env.BENCH_WAL_FLUSHES === '1';
    const flushRows: string[][] = [['run', ...FLUSH_HEADINGS]];
    const measured = async (name: string, load: () => Promise<LoadFigures>): Promise<LoadFigures & { cpu: string[] }> => {
      // Read before the CPU counters start: the wait for the statistics is not the run's.
      const flushesBefore = flushes ? await walFlushes(pool) : undefined;
      const before = readCpu(groups);
      // The bench's CPU: its own, and a load generator's it ran as a child (reaped once it exits).
      const own = process.cpuUsage();
      const children = reapedChildrenCpu();
      // The bench's own event loop: how late it ran what it measures with (a share of every latency it reports).
      const lag = monitorEventLoopDelay({ resolution: 1 });
      lag.enable();
      const started = performance.now();
      const figures = await load();
      const runMs = performance.now() - started;
      lag.disable();
      const spent = cpuSpent(before, readCpu(groups));
      const ownUs = process.cpuUsage(own);
      const childrenS = reapedChildrenCpu() - children;
      if (flushesBefore) flushRows.push([name, ...flushFigures(flushesBefore, await walFlushes(pool), runMs, figures.requests)]);
      const perRequest = (seconds: number) => ((seconds * 1e6) / figures.requests).toFixed(0);
      return { ...figures, cpu: [perRequest((ownUs.user + ownUs.system) / 1e6 + childrenS), perRequest(spent.get('ocs') ?? 0), perRequest(spent.get('postgres') ?? 0), ms(lag.percentile(99) / 1e6)] };
    };
    // The warm-up reads the OCS's metrics as a Prometheus server does, so that the measured runs' own
    // reads find the code settled: the first read of a process's metrics brings an HTTP socket into
    // the stream code its Diameter and PostgreSQL sockets run through, and V8 deoptimizes that code
    // and compiles it again (seen with --trace-deopt in the full-load run before this).
    const warmUp = async (load: () => Promise<unknown>) => {
      let warming = true;
      const scrapes = (async () => {
        while (warming) {
          await batchCounters(ocs.metricsPort);
          await new Promise((r) => setTimeout(r, WARM_UP_SCRAPE_MS));
        }
      })();
      // A failed read fails the warm-up once the load is done (below), not the process meanwhile.
      scrapes.catch(() => undefined);
      try {
        await load();
      } finally {
        warming = false;
        await scrapes;
      }
    };
    const batchRows: string[][] = [['run', 'requests per batch', 'batches read', 'read', 'write (with commit)', 'write p99', 'conflicts', 'p99 in the OCS', 'OCS GC µs/req', 'event-loop delay p99']];
    const withBatches = async (name: string, load: () => Promise<LoadFigures & { cpu: string[] }>) => {
      const before = await batchCounters(ocs.metricsPort);
      const figures = await load();
      batchRows.push([name, ...batchFigures(before, await batchCounters(ocs.metricsPort))]);
      return figures;
    };
    const rows: string[][] = [['run', 'requests', 'req/s', 'p50', 'p99', 'ratio to floor', 'CPU µs/req: bench', 'OCS', 'PostgreSQL', 'bench event-loop delay p99']];
    const verdicts: string[] = [];
    let sessionsRun = 0;
    const floorName = 'floor: conditional UPDATE';
    const floor = await measured(floorName, () => floorLoad(pgServer.url, SESSIONS * REQUESTS_PER_SESSION, POOL, CONCURRENCY));
    rows.push([floorName, String(floor.requests), floor.perSecond.toFixed(0), ms(floor.p50), ms(floor.p99), '1.00', ...floor.cpu]);
    for (const driver of drivers) {
      await driver.open();
      try {
        log(`${driver.name}: warm-up…`);
        await warmUp(() => runLoad(driver, subs, WARM_UP_SESSIONS, { concurrency: CONCURRENCY }));
        sessionsRun += WARM_UP_SESSIONS;
        // Statistics as autovacuum keeps them on a database that has run a while: planned on a
        // new one's, the engine's statements would scan the small tables rather than use their keys.
        await pool.query('ANALYZE');
        log(`${driver.name}: ${SESSIONS} sessions, ${CONCURRENCY} in flight…`);
        const fullName = `${driver.name}, full load`;
        const full = await withBatches(fullName, () => measured(fullName, () => runLoad(driver, subs, SESSIONS, { concurrency: CONCURRENCY })));
        sessionsRun += SESSIONS;
        rows.push([fullName, String(full.requests), full.perSecond.toFixed(0), ms(full.p50), ms(full.p99), (full.perSecond / floor.perSecond).toFixed(2), ...full.cpu]);
        const halfRate = full.perSecond / 2 / REQUESTS_PER_SESSION;
        const halfSessions = Math.max(100, Math.round(SESSIONS / 2));
        log(`${driver.name}: ${halfSessions} sessions paced at half that load (${(halfRate * REQUESTS_PER_SESSION).toFixed(0)} req/s)…`);
        const halfName = `${driver.name}, half load`;
        const half = await withBatches(halfName, () => measured(halfName, () => runLoad(driver, subs, halfSessions, { concurrency: CONCURRENCY, sessionsPerSecond: halfRate })));
        sessionsRun += halfSessions;
        rows.push([halfName, String(half.requests), half.perSecond.toFixed(0), ms(half.p50), ms(half.p99), '', ...half.cpu]);
        if (driver.targets) {
          const { perSecond, halfLoadP99Ms } = driver.targets;
          const met = (yes: boolean) => (yes ? 'met' : 'not met');
          verdicts.push(
            `${driver.name} targets: ${full.perSecond.toFixed(0)} req/s at full load (at least ${perSecond}: ${met(full.perSecond >= perSecond)}); ` +
              `p99 ${ms(half.p99)} at half load (under ${halfLoadP99Ms} ms: ${met(half.p99 < halfLoadP99Ms)})`,
          );
        }
        // What the machine itself allows at that rate: a single-row commit per request, sent as they fall due.
        const pacedName = 'floor paced at that rate';
        const paced = await measured(pacedName, () => floorLoad(pgServer.url, half.requests, POOL, CONCURRENCY, half.perSecond));
        rows.push([pacedName, String(paced.requests), paced.perSecond.toFixed(0), ms(paced.p50), ms(paced.p99), '', ...paced.cpu]);
      } finally {
        await driver.close();
      }
    }
    // The floor once more: the machine's speed moves within a run as well as between runs, so its
    // ratio to the first floor says how far the machine drifted while the front ends were measured.
    const againName = 'floor again, after them';
    const again = await measured(againName, () => floorLoad(pgServer.url, SESSIONS * REQUESTS_PER_SESSION, POOL, CONCURRENCY));
    rows.push([againName, String(again.requests), again.perSecond.toFixed(0), ms(again.p50), ms(again.p99), (again.perSecond / floor.perSecond).toFixed(2), ...again.cpu]);
    console.log(table(rows));
    for (const v of verdicts) console.log(v);
    console.log(table(batchRows));
    if (flushes) console.log(table(flushRows));
    if (statements) await printStatements(pool);
    log('checking the ledger…');
    ok = await checkLedger(pool, sessionsRun, log);
    return ok;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err) => console.error('while stopping:', err));
    // BENCH_KEEP=1: the database and the OCS's log stay after a run that passed, too.
    if (ok && !process.env.BENCH_KEEP) fs.rmSync(workDir, { recursive: true, force: true });
    else console.error(`files and logs kept in ${workDir}`);
  }
}
