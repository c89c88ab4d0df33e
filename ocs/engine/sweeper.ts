/**
 * Nothing leaks: reservations past their validity time go back to their buckets (a ledger
 * release each), and open sessions nobody has reported on within the session timeout are closed.
 * A session being charged right now is skipped and looked at again on the next sweep. Closed
 * sessions are kept for a retention time (a late retransmission still gets its first answer),
 * then deleted, so the table holds the sessions of about that long and no more.
 */
import type pg from 'pg';
import type { Clock } from '../../domain/clock';

const CANDIDATES = `
SELECT session_id AS id FROM charging_reservation WHERE expires_at <= $1
UNION
SELECT id FROM (SELECT id FROM charging_session WHERE state = 'open' AND expires_at <= $1 LIMIT $2) s
LIMIT $2`;

const RELEASE = `
WITH expired AS (
  DELETE FROM charging_reservation WHERE session_id = $1 AND (expires_at <= $2 OR $3) RETURNING id, bucket_id, amount, rating_group
), per_bucket AS (
  SELECT bucket_id, sum(amount) AS amount FROM expired GROUP BY bucket_id
), bu AS (
  UPDATE charging_bucket b SET reserved = b.reserved - p.amount FROM per_bucket p WHERE b.id = p.bucket_id RETURNING b.id
), led AS (
  INSERT INTO charging_ledger (bucket_id, kind, amount, reference, rating_group, created_at)
  -- One reference per reservation, outside the namespaces of prepay balance management (topup:, expiry: …).
  SELECT bucket_id, 'release', amount, 'ocs-expiry:' || $1 || ':' || id, rating_group, $2 FROM expired RETURNING id
)
SELECT (SELECT count(*) FROM led) AS released`;

/** Releases what one sweep finds expired; returns how many reservations and sessions it ended. */
export async function sweepExpired(pool: pg.Pool, now: Date, batch = 200): Promise<{ released: number; closed: number }> {
  const { rows } = await pool.query(CANDIDATES, [now, batch]);
  let released = 0;
  let closed = 0;
  for (const { id } of rows as Array<{ id: string }>) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Same lock order as a request: the session, then the account's buckets by id.
      const session = await client.query(
        `SELECT charging_account_id, (state = 'open' AND expires_at <= $2) AS abandoned FROM charging_session WHERE id = $1 FOR UPDATE SKIP LOCKED`,
        [id, now],
      );
      if (session.rows.length === 0) {
        await client.query('ROLLBACK');
        continue;
      }
      const { charging_account_id: accountId, abandoned } = session.rows[0] as { charging_account_id: string; abandoned: boolean };
      await client.query('SELECT id FROM charging_bucket WHERE charging_account_id = $1 ORDER BY id FOR UPDATE', [accountId]);
      const result = await client.query(RELEASE, [id, now, abandoned]);
      released += Number(result.rows[0].released);
      if (abandoned) {
        await client.query(`UPDATE charging_session SET state = 'closed', updated_at = $2 WHERE id = $1`, [id, now]);
        closed += 1;
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  return { released, closed };
}

/** Deletes up to `batch` sessions closed before `closedBefore` (their reservations went with them); returns how many. */
export async function purgeClosedSessions(pool: pg.Pool, closedBefore: Date, batch = 1000): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM charging_session WHERE id IN (SELECT id FROM charging_session WHERE state = 'closed' AND updated_at < $1 ORDER BY updated_at LIMIT $2)`,
    [closedBefore, batch],
  );
  return rowCount ?? 0;
}

/** Sweeps every `intervalMs` until stopped, and purges sessions closed longer than `retentionMs`; errors are reported, not thrown. */
export function startSweeper(deps: { pool: pg.Pool; clock: Clock; intervalMs: number; retentionMs: number; onError?: (err: unknown) => void }): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    const now = deps.clock.now();
    running = sweepExpired(deps.pool, now)
      .then(() => purgeClosedSessions(deps.pool, new Date(now.getTime() - deps.retentionMs)))
      .catch((err) => deps.onError?.(err));
  }, deps.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
