/**
 * Nothing leaks: reservations past their validity time go back to their buckets (a ledger
 * release each), and open sessions nobody has reported on within the session timeout are closed.
 * A session being charged right now is skipped and looked at again on the next sweep. Closed
 * sessions are kept for a retention time (a late retransmission still gets its first answer),
 * then deleted, so the table holds the sessions of about that long and no more.
 */
import type pg from 'pg';
import type { Clock } from '../../domain/clock';

const CANDIDATES = `SELECT id FROM charging_session WHERE state = 'open' AND sweep_at <= $1 ORDER BY sweep_at LIMIT $2`;

/**
 * Within the transaction that locked the session and its buckets: releases the session's
 * reservations that are due ($3: all of them, for an abandoned session), a ledger release each,
 * keeps the others, and sets when to look again.
 */
const RELEASE = `
WITH s AS (
  SELECT reservations FROM charging_session WHERE id = $1
), held AS (
  SELECT r.value AS reservation, (r.value->>'expiresAt')::timestamptz AS expires_at,
         $3 OR (r.value->>'expiresAt')::timestamptz <= $2 AS due
  FROM s CROSS JOIN LATERAL json_array_elements(s.reservations::json) r
), expired AS (
  SELECT reservation->>'id' AS id, (reservation->>'bucketId')::uuid AS bucket_id, (reservation->>'amount')::numeric AS amount,
         (reservation->>'ratingGroup')::int AS rating_group
  FROM held WHERE due
), per_bucket AS (
  SELECT bucket_id, sum(amount) AS amount FROM expired GROUP BY bucket_id
), bu AS (
  UPDATE charging_bucket b SET reserved = b.reserved - p.amount FROM per_bucket p WHERE b.id = p.bucket_id RETURNING b.id
), led AS (
  INSERT INTO charging_ledger (bucket_id, kind, amount, reference, rating_group, created_at)
  -- One reference per reservation, outside the namespaces of prepay balance management (topup:, expiry: …).
  SELECT bucket_id, 'release', amount, 'ocs-expiry:' || $1 || ':' || id, rating_group, $2 FROM expired RETURNING id
), su AS (
  UPDATE charging_session c SET
    reservations = coalesce((SELECT json_agg(reservation)::text FROM held WHERE NOT due), '[]'),
    sweep_at = least(c.expires_at, (SELECT min(expires_at) FROM held WHERE NOT due)),
    -- Only a release or a closing changes what a request reads; a later look alone is merged by
    -- the request's own write (least of both), so it does not make a request in flight read again.
    revision = c.revision + CASE WHEN $3 OR EXISTS (SELECT 1 FROM expired) THEN 1 ELSE 0 END,
    state = CASE WHEN $3 THEN 'closed' ELSE c.state END,
    closed_at = CASE WHEN $3 THEN $2::timestamptz END,
    updated_at = CASE WHEN $3 THEN $2::timestamptz ELSE c.updated_at END
  WHERE c.id = $1 RETURNING c.id
)
SELECT (SELECT count(*) FROM led) AS released, (SELECT count(*) FROM su) AS sessions`;

/**
 * In the caller's transaction: locks the open session (skipped when a request holds it: null) and
 * its account's buckets, then releases what is due at `now`, closing the session if it was abandoned.
 */
export async function releaseDue(client: pg.PoolClient, sessionId: string, now: Date): Promise<{ released: number; closed: boolean } | null> {
  // The session, then the account's buckets by id. A request writes them the other way round; if
  // the two meet, PostgreSQL ends one of them with a deadlock error and the engine reads again.
  const session = await client.query(`SELECT charging_account_id, expires_at <= $2 AS abandoned FROM charging_session WHERE id = $1 AND state = 'open' FOR UPDATE SKIP LOCKED`, [
    sessionId,
    now,
  ]);
  if (session.rows.length === 0) return null;
  const { charging_account_id: accountId, abandoned } = session.rows[0] as { charging_account_id: string; abandoned: boolean };
  await client.query('SELECT id FROM charging_bucket WHERE charging_account_id = $1 ORDER BY id FOR UPDATE', [accountId]);
  const result = await client.query(RELEASE, [sessionId, now, abandoned]);
  return { released: Number(result.rows[0].released), closed: abandoned };
}

/**
 * Releases what one sweep finds due (at most `batch` sessions); returns how many reservations it
 * released and sessions it closed (each also told to `onClosed`). A session that fails (a deadlock
 * with a request, which then reads again) does not hold up the others: it is still due at the next
 * sweep, and the first such error is thrown once the rest are done.
 */
export async function sweepExpired(pool: pg.Pool, now: Date, batch = 200, onClosed?: (sessionId: string) => void): Promise<{ released: number; closed: number; looked: number }> {
  const { rows } = await pool.query(CANDIDATES, [now, batch]);
  let released = 0;
  let closed = 0;
  let failure: unknown;
  for (const { id } of rows as Array<{ id: string }>) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const done = await releaseDue(client, id, now);
      await client.query('COMMIT');
      released += done?.released ?? 0;
      if (done?.closed) {
        closed++;
        onClosed?.(id);
      }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      failure ??= err;
    } finally {
      client.release();
    }
  }
  if (failure !== undefined) throw failure;
  return { released, closed, looked: rows.length };
}

/** Deletes up to `batch` sessions closed before `closedBefore`; returns how many. */
export async function purgeClosedSessions(pool: pg.Pool, closedBefore: Date, batch = 1000): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM charging_session WHERE id IN (SELECT id FROM charging_session WHERE state = 'closed' AND closed_at < $1 ORDER BY closed_at LIMIT $2)`,
    [closedBefore, batch],
  );
  return rowCount ?? 0;
}

/**
 * Sweeps every `intervalMs` until stopped, and purges sessions closed longer than `retentionMs`;
 * errors are reported, not thrown. A sweep that found a full batch due sweeps again at once (for
 * up to half the interval), and so does the purge, so that a backlog (many long sessions, a burst
 * of abandoned ones) is worked off rather than taken 200 sessions every interval. `onClosed` hears
 * of each abandoned session it closes.
 */
export function startSweeper(deps: {
  pool: pg.Pool;
  clock: Clock;
  intervalMs: number;
  retentionMs: number;
  onError?: (err: unknown) => void;
  onClosed?: (sessionId: string) => void;
  /** Sessions per sweep, and closed sessions per purge (200, 1000). */
  batch?: number;
  purgeBatch?: number;
}): { stop: () => Promise<void> } {
  const batch = deps.batch ?? 200;
  const purgeBatch = deps.purgeBatch ?? 1000;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = async () => {
    const now = deps.clock.now();
    const until = Date.now() + deps.intervalMs / 2;
    // Again while the last round was full, time is left, and no stop was asked.
    const again = (done: number, of: number) => done === of && !stopped && Date.now() < until;
    try {
      let looked: number;
      do ({ looked } = await sweepExpired(deps.pool, now, batch, deps.onClosed));
      while (again(looked, batch));
    } catch (err) {
      deps.onError?.(err);
    }
    try {
      let purged: number;
      do purged = await purgeClosedSessions(deps.pool, new Date(now.getTime() - deps.retentionMs), purgeBatch);
      while (again(purged, purgeBatch));
    } catch (err) {
      deps.onError?.(err);
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick);
  }, deps.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
