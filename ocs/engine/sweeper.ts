/**
 * Nothing leaks: reservations past their validity time go back to their buckets (a ledger
 * release each), and open sessions nobody has reported on within the session timeout are closed.
 * A session being charged right now is skipped and looked at again on the next sweep.
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
  DELETE FROM charging_reservation WHERE session_id = $1 AND (expires_at <= $2 OR $3) RETURNING id, bucket_id, amount
), per_bucket AS (
  SELECT bucket_id, sum(amount) AS amount FROM expired GROUP BY bucket_id
), bu AS (
  UPDATE charging_bucket b SET reserved = b.reserved - p.amount FROM per_bucket p WHERE b.id = p.bucket_id RETURNING b.id
), led AS (
  INSERT INTO charging_ledger (bucket_id, kind, amount, reference, created_at)
  -- One reference per reservation, outside the namespaces of prepay balance management (topup:, expiry: …).
  SELECT bucket_id, 'release', amount, 'ocs-expiry:' || $1 || ':' || id, $2 FROM expired RETURNING id
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

/** Sweeps every `intervalMs` until stopped; errors are reported, not thrown. */
export function startSweeper(deps: { pool: pg.Pool; clock: Clock; intervalMs: number; onError?: (err: unknown) => void }): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepExpired(deps.pool, deps.clock.now()).catch((err) => deps.onError?.(err));
  }, deps.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
