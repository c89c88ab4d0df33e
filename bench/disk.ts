/**
 * What the disk costs a commit. Every answer the OCS gives waits for its batch's commit, and a
 * commit waits for PostgreSQL's flush of the WAL (fdatasync); a flush that stalls stops every
 * request behind it, the floor's as well. These figures let a run's latency be read against the
 * disk it ran on: the disk's own flush latency before the runs, and (BENCH_WAL_FLUSHES=1) how long
 * PostgreSQL spent flushing WAL during each run (pg_stat_wal, with track_wal_io_timing on).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { percentile } from './stats';

/** Flush latency of the disk under `dir`: 8 KB written and fdatasync'd, over and over, for `seconds` (milliseconds). */
export function probeFlushes(dir: string, seconds: number): { flushes: number; p50: number; p99: number; max: number } {
  const file = path.join(dir, 'flush-probe');
  const fd = fs.openSync(file, 'w');
  const page = Buffer.alloc(8192, 'w');
  const latencies: number[] = [];
  try {
    const until = performance.now() + seconds * 1000;
    // Within one 16 MB file, as WAL is written: page after page, then over again.
    for (let position = 0; performance.now() < until; position = (position + page.length) % (16 << 20)) {
      fs.writeSync(fd, page, 0, page.length, position);
      const started = performance.now();
      fs.fdatasyncSync(fd);
      latencies.push(performance.now() - started);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  latencies.sort((a, b) => a - b);
  return { flushes: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] };
}

/** PostgreSQL's WAL so far: flushes (how many, their total time in ms), bytes written and full-page images among them. */
export interface WalFlushes {
  flushes: number;
  ms: number;
  bytes: number;
  fullPages: number;
}

/**
 * A backend reports its statistics at most once a second while it works, and what is left when it
 * goes idle only after PostgreSQL's idle interval (10 s): read straight after a run, the figures
 * would miss its last seconds and give them to the next one. So they are read once that has passed.
 */
const STATISTICS_SETTLE_MS = 11_000;

/** PostgreSQL's WAL flushes so far, once the backends have reported them (waits STATISTICS_SETTLE_MS). */
export async function walFlushes(pool: pg.Pool): Promise<WalFlushes> {
  await new Promise((resolve) => setTimeout(resolve, STATISTICS_SETTLE_MS));
  const { rows } = await pool.query<{ flushes: string; ms: number; bytes: string; full_pages: string }>(
    'SELECT wal_sync::text AS flushes, wal_sync_time::float8 AS ms, wal_bytes::text AS bytes, wal_fpi::text AS full_pages FROM pg_stat_wal',
  );
  return { flushes: Number(rows[0].flushes), ms: rows[0].ms, bytes: Number(rows[0].bytes), fullPages: Number(rows[0].full_pages) };
}

/** Headings of flushFigures' columns. */
export const FLUSH_HEADINGS = ['WAL flushes', 'mean flush', 'time flushing', 'WAL per request', 'full-page images'];

/**
 * The WAL of one run of `requests`: flushes (count, mean, the share of the run's wall time PostgreSQL
 * spent in them), the bytes written per request, and the full-page images written (the first change
 * of a page after a checkpoint copies the whole page into the WAL).
 */
export function flushFigures(before: WalFlushes, after: WalFlushes, runMs: number, requests: number): string[] {
  const flushes = after.flushes - before.flushes;
  const spent = after.ms - before.ms;
  return [
    String(flushes),
    flushes > 0 ? `${(spent / flushes).toFixed(2)} ms` : '-',
    `${((spent / runMs) * 100).toFixed(0)} %`,
    `${((after.bytes - before.bytes) / requests).toFixed(0)} B`,
    String(after.fullPages - before.fullPages),
  ];
}
