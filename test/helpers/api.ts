/** An in-process API against the run's PostgreSQL and Temporal, and tokens for each role. */
import { Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import pino from 'pino';
import { signToken, type Principal, type Role } from '../../api/auth';
import { createApp } from '../../api/app';
import { loadConfig } from '../../config';
import { createKnex } from '../../db/knex';
import { SimulatedPaymentGateway } from '../../activities/payments/gateway';
import { ManualClock, systemClock, type Clock } from '../../domain/clock';
import { derivePiiKeys } from '../../domain/pii';

export interface TestApi {
  app: Express;
  knex: Knex;
  temporal: Connection;
  close(): Promise<void>;
}

/**
 * Builds the app; pass a ManualClock to control server time, `databaseUrl` for another database
 * of the run (CTK_DATABASE_URL: the conformance kits' own), `fulfilOrders` to have new orders
 * start their workflows, and `taskQueue` (see testTaskQueue) for the workflows it starts.
 */
export async function createTestApi(clock: Clock = systemClock, opts: { databaseUrl?: string; fulfilOrders?: boolean; answerTickets?: boolean; taskQueue?: string } = {}): Promise<TestApi> {
  const config = loadConfig();
  const knex = createKnex(opts.databaseUrl ?? config.databaseUrl);
  const temporal = await Connection.connect({ address: config.temporalAddress });
  const app = createApp({ ...testAppDeps(), knex, temporal, temporalProbe: temporal, clock, fulfilOrders: opts.fulfilOrders, answerTickets: opts.answerTickets, taskQueue: opts.taskQueue ?? config.taskQueue });
  return { app, knex, temporal, close: async () => void (await Promise.all([knex.destroy(), temporal.close()])) };
}

/** The dependencies of createApp that tests share (pass knex, temporal, temporalProbe and clock). */
export function testAppDeps() {
  const config = loadConfig();
  return {
    temporalNamespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    logger: pino({ level: 'silent' }),
    jwtSecret: config.jwtSecret,
    publicUrl: config.publicUrl,
    piiKeys: derivePiiKeys(config.piiKey),
    paymentGateway: new SimulatedPaymentGateway(),
    devOutbox: true,
  };
}

/** A bearer token for the given role (customer tokens carry their customer id). */
export function tokenFor(role: Role, extra: Partial<Principal> = {}): Promise<string> {
  const principal: Principal = { subject: `test-${role}`, roles: [role], ...extra };
  if (role === 'customer' && !principal.customerId) principal.customerId = 'cust-test';
  return signToken(loadConfig().jwtSecret, principal, '1h');
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export { ManualClock };

/**
 * A task queue of the test file's own: test files run in parallel, and a worker of one file must
 * never pick up another file's workflows (it has other simulators and stops at other times).
 */
export const testTaskQueue = (name: string) => `${name}-${randomUUID()}`;
