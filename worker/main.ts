/** `npm run worker`: the Temporal worker and the hub event sender (production entry point). */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../activities';
import { loadConfig } from '../config';
import { createKnex } from '../db/knex';
import { EventSender } from './event-sender';

export interface WorkerHandle {
  stop(): Promise<void>;
}

/**
 * Starts the worker. `workflowBundle` (a pre-built bundle) skips bundling at start; tests build
 * one bundle per run and pass it here.
 */
export async function startWorker(
  env: NodeJS.ProcessEnv = process.env,
  extra: Pick<WorkerOptions, 'workflowBundle'> = {},
): Promise<WorkerHandle> {
  const config = loadConfig(env);
  const logger = pino({ level: config.logLevel, base: { service: 'worker' } });
  const knex = createKnex(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities: createActivities({ knex }),
    ...(extra.workflowBundle ? { workflowBundle: extra.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
  const sender = new EventSender(knex, logger);
  sender.start();
  const running = worker.run();
  logger.info({ taskQueue: config.taskQueue }, 'worker running');
  return {
    stop: async () => {
      // The SDK also shuts workers down on SIGINT/SIGTERM; only ask if nobody has yet.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await sender.stop();
      await Promise.all([connection.close(), knex.destroy()]);
    },
  };
}

if (require.main === module) {
  startWorker()
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
