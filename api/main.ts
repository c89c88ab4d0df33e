/** `npm run api`: the API process on its own (production entry point). */
import { Connection } from '@temporalio/client';
import pino from 'pino';
import { loadConfig } from '../config';
import { createKnex } from '../db/knex';
import { SimulatedPaymentGateway } from '../activities/payments/gateway';
import { systemClock } from '../domain/clock';
import { derivePiiKeys } from '../domain/pii';
import { createApp } from './app';

/** Starts the HTTP server; resolves with a function that stops it and closes its connections. */
export async function startApi(env: NodeJS.ProcessEnv = process.env): Promise<{ port: number; stop(): Promise<void> }> {
  const config = loadConfig(env);
  const logger = pino({ level: config.logLevel, base: { service: 'api' } });
  const knex = createKnex(config.databaseUrl);
  // Lazy: the API starts (and /health says 503) even while Temporal is still coming up.
  const temporal = Connection.lazy({ address: config.temporalAddress });
  const temporalProbe = Connection.lazy({ address: config.temporalAddress, interceptors: [] });
  const app = createApp({
    knex,
    temporal,
    temporalProbe,
    temporalNamespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    clock: systemClock,
    logger,
    jwtSecret: config.jwtSecret,
    publicUrl: config.publicUrl,
    piiKeys: derivePiiKeys(config.piiKey),
    paymentGateway: new SimulatedPaymentGateway(),
    devOutbox: config.devOutbox,
    fulfilOrders: true,
    answerTickets: true,
    reportTimeZone: config.reportTimeZone,
    lowBalanceThreshold: config.lowBalanceThreshold,
  });
  const server = app.listen(config.port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  logger.info({ port: config.port }, 'api listening');
  return {
    port: config.port,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([knex.destroy(), temporal.close(), temporalProbe.close()]);
    },
  };
}

if (require.main === module) {
  startApi()
    .then(({ stop }) => {
      const shutdown = () => void stop().then(() => process.exit(0));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
