/** `GET /health`: 200 when PostgreSQL and Temporal both answer, 503 naming what is down. */
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { Connection } from '@temporalio/client';
import { probe } from '../domain/probe';

const CHECK_TIMEOUT_MS = 2000;

export function healthHandler(knex: Knex, temporal: Connection): RequestHandler {
  return async (_req, res) => {
    const [postgres, temporalCheck] = await Promise.all([
      probe(() => knex.raw('SELECT 1'), CHECK_TIMEOUT_MS),
      probe(() => temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => temporal.workflowService.getSystemInfo({})), CHECK_TIMEOUT_MS),
    ]);
    const up = postgres.status === 'up' && temporalCheck.status === 'up';
    res.status(up ? 200 : 503).json({ status: up ? 'up' : 'down', checks: { postgres, temporal: temporalCheck } });
  };
}
