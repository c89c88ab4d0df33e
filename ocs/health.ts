/**
 * `GET /health` on the OCS's metrics port, for a load balancer or an orchestrator's readiness
 * probe: 200 while the OCS serves and PostgreSQL answers within 2 s (every answer waits for a
 * commit there), else 503 naming what is down. While it stops (SIGTERM: it answers the requests it
 * is charging before it disconnects) it says `stopping`, so that new traffic goes elsewhere.
 */
import type pg from 'pg';
import { probe, type ProbeResult } from '../domain/probe';

const CHECK_TIMEOUT_MS = 2000;

export interface OcsHealth {
  status: 'up' | 'down' | 'stopping';
  checks: { postgres: ProbeResult };
}

/** The OCS's health now: `stopping` once its stop has begun, whatever the database says. */
export async function ocsHealth(pool: Pick<pg.Pool, 'query'>, stopping: () => boolean, timeoutMs = CHECK_TIMEOUT_MS): Promise<OcsHealth> {
  const postgres = await probe(() => pool.query('SELECT 1'), timeoutMs);
  return { status: stopping() ? 'stopping' : postgres.status, checks: { postgres } };
}
