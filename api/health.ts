/** `GET /health`: 200 when PostgreSQL and Temporal both answer, 503 naming what is down. */
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { Connection } from '@temporalio/client';

const CHECK_TIMEOUT_MS = 2000;

async function check(fn: () => Promise<unknown>): Promise<{ status: 'up' } | { status: 'down'; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export function healthHandler(knex: Knex, temporal: Connection): RequestHandler {
  return async (_req, res) => {
    const [postgres, temporalCheck] = await Promise.all([
      check(() => knex.raw('SELECT 1')),
      check(() => temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => temporal.workflowService.getSystemInfo({}))),
    ]);
    const up = postgres.status === 'up' && temporalCheck.status === 'up';
    res.status(up ? 200 : 503).json({ status: up ? 'up' : 'down', checks: { postgres, temporal: temporalCheck } });
  };
}
