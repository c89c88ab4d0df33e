/**
 * The charging engine called directly (no protocol front end, no network client): sessions of
 * one initial request, three updates and a termination from many concurrent callers, for several
 * batch settings, against the floor of the same run. `node --import tsx bench/ocs-engine-direct.ts`.
 * BENCH_OCS_SESSIONS (2000), BENCH_OCS_CONCURRENCY (200), BENCH_OCS_POOL (20),
 * BENCH_OCS_SETTINGS (`1x1,256x1,256x2,256x4,256x8`: maxBatch x batchesInFlight).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createKnex } from '../db/knex';
import { migrateAndSeed } from '../db/setup';
import { systemClock } from '../domain/clock';
import { createChargingEngine, reconcileLedger, type ChargingEngine } from '../ocs/engine';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { freePort } from '../test/helpers/ports';
import { createSubscribers, floorLoad, type BenchSubscriber } from './ocs';
import { percentile, table } from './stats';

const SESSIONS = Number(process.env.BENCH_OCS_SESSIONS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_OCS_CONCURRENCY ?? 200);
const POOL = Number(process.env.BENCH_OCS_POOL ?? 20);
const SETTINGS = (process.env.BENCH_OCS_SETTINGS ?? '1x1,256x1,256x2,256x4,256x8').split(',').map((s) => s.split('x').map(Number) as [number, number]);
const EVENT_TIME = new Date('2026-11-04T11:00:00Z');

async function runSessions(engine: ChargingEngine, subs: BenchSubscriber[], tag: string): Promise<{ perSecond: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let started = 0;
  const t0 = performance.now();
  const timed = async (req: Parameters<ChargingEngine['charge']>[0]) => {
    const s = performance.now();
    const a = await engine.charge(req);
    latencies.push(performance.now() - s);
    if (a.resultCode !== 2001 || a.units[0]?.resultCode !== 2001) throw new Error(`refused: ${JSON.stringify(a)}`);
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      while (started < SESSIONS) {
        const i = started++;
        const sub = subs[(w + CONCURRENCY * Math.floor(i / CONCURRENCY)) % subs.length];
        const base = { sessionId: `${tag}-${i}`, subscriber: { msisdn: sub.msisdn }, eventTime: EVENT_TIME, destination: '+34612345678' };
        await timed({ ...base, requestNumber: 0, type: 'initial', units: [{ ratingGroup: 100, requested: { quantity: '60' } }] });
        for (let n = 1; n <= 3; n++) await timed({ ...base, requestNumber: n, type: 'update', units: [{ ratingGroup: 100, used: { quantity: '60' }, requested: { quantity: '60' } }] });
        await timed({ ...base, requestNumber: 4, type: 'termination', units: [{ ratingGroup: 100, used: { quantity: '60' } }] });
      }
    }),
  );
  const wall = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / (wall / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function main() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bss-ocs-direct-'));
  fs.chmodSync(workDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port: await freePort(), password: randomBytes(12).toString('hex'), database: 'bss_bench', log: () => undefined });
  try {
    const knex = createKnex(server.url);
    await migrateAndSeed(knex);
    await knex.destroy();
    const admin = new pg.Pool({ connectionString: server.url, max: 2 });
    const subs = await createSubscribers(admin);
    const rows: string[][] = [['run', 'req/s', 'p50', 'p99', 'ratio to floor']];
    const floor = await floorLoad(server.url, SESSIONS * 5, POOL, CONCURRENCY);
    rows.push(['floor', floor.perSecond.toFixed(0), `${floor.p50.toFixed(2)} ms`, `${floor.p99.toFixed(2)} ms`, '1.00']);
    for (const [maxBatch, batchesInFlight] of SETTINGS) {
      const pool = new pg.Pool({ connectionString: server.url, max: POOL, options: '-c plan_cache_mode=force_generic_plan' });
      // Time per statement and requests per batch, by statement name.
      const stats = new Map<string, { n: number; ms: number; size: number }>();
      const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
      (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (q: unknown, ...rest: unknown[]) => {
        const name = (q as { name?: string }).name ?? 'other';
        const size = ((q as { values?: unknown[][] }).values?.[0] as unknown[] | undefined)?.length ?? 0;
        const s = performance.now();
        try {
          return await query(q, ...rest);
        } finally {
          const st = stats.get(name) ?? { n: 0, ms: 0, size: 0 };
          st.n++;
          st.ms += performance.now() - s;
          st.size += size;
          stats.set(name, st);
        }
      };
      const engine = createChargingEngine({ pool, clock: systemClock, config: { maxBatch, batchesInFlight } });
      await runSessions(engine, subs.slice(0, 200), `warm-${maxBatch}x${batchesInFlight}`);
      // Statistics as autovacuum keeps them on a database that has run a while (as bench/ocs.ts):
      // planned on a new one's, the engine's statements scan the session table rather than use its key.
      await admin.query('ANALYZE');
      const r = await runSessions(engine, subs, `run-${maxBatch}x${batchesInFlight}`);
      rows.push([`maxBatch ${maxBatch} × ${batchesInFlight} in flight`, r.perSecond.toFixed(0), `${r.p50.toFixed(2)} ms`, `${r.p99.toFixed(2)} ms`, (r.perSecond / floor.perSecond).toFixed(2)]);
      for (const [name, st] of stats) console.log(`${maxBatch}x${batchesInFlight} ${name}: ${st.n} statements, ${(st.ms / st.n).toFixed(2)} ms each, ${(st.size / st.n).toFixed(1)} first-array items`);
      await pool.end();
    }
    console.log(table(rows));
    console.log(`ledger differences: ${(await reconcileLedger(admin)).length}`);
    await admin.end();
  } finally {
    await server.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
