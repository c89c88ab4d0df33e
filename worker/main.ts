/** `npm run worker`: the Temporal worker and the hub event sender (production entry point). */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import pino from 'pino';
import { withHeartbeats } from '../activities/heartbeat';
import { loadConfig } from '../config';
import { NetworkClient } from '../network/client';
import { createKnex } from '../db/knex';
import { createWorkerActivities } from './activities';
import { EventSender } from './event-sender';
import { ensureSchedules } from './schedules';

export interface WorkerHandle {
  stop(): Promise<void>;
}

type ActivityOverrides = Record<string, (...args: never[]) => Promise<unknown>>;
type WorkerActivities = ReturnType<typeof createWorkerActivities>['activities'];

/**
 * Starts the worker. `workflowBundle` (a pre-built bundle) skips bundling at start; tests build
 * one bundle per run and pass it here.
 */
export async function startWorker(
  env: NodeJS.ProcessEnv = process.env,
  extra: Pick<WorkerOptions, 'workflowBundle'> & {
    /** Steps to run instead of the worker's own; given as a function, it gets the worker's own to wrap. */
    activityOverrides?: ActivityOverrides | ((own: WorkerActivities) => ActivityOverrides);
    /** Create the Temporal Schedules (default); tests on a queue of their own leave them to the one test about them. */
    schedules?: boolean;
  } = {},
): Promise<WorkerHandle> {
  const config = loadConfig(env);
  const logger = pino({ level: config.logLevel, base: { service: 'worker' } });
  const knex = createKnex(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  // Connects on first use: the worker starts even while the network is unreachable.
  const network = NetworkClient.fromUrl(config.networkUrl);
  // The billing activities start billing cycle workflows through this client.
  const clientConnection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection: clientConnection, namespace: config.temporalNamespace });
  const { activities, close: closeActivities } = createWorkerActivities(config, { knex, network, temporal: client, billingTaskQueue: config.taskQueue });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    // Overrides let a test inject a failure into one step. Every activity heartbeats, so one that
    // was running on a worker that died is retried after its heartbeat timeout.
    activities: withHeartbeats({ ...activities, ...(typeof extra.activityOverrides === 'function' ? extra.activityOverrides(activities) : extra.activityOverrides) }),
    ...(extra.workflowBundle ? { workflowBundle: extra.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
  if (extra.schedules !== false) {
    await ensureSchedules(client, config.taskQueue);
  }
  const sender = new EventSender(knex, logger);
  sender.start();
  const running = worker.run();
  logger.info({ taskQueue: config.taskQueue }, 'worker running');
  return {
    stop: async () => {
      // The SDK also shuts workers down on SIGINT/SIGTERM; only ask if nobody has yet.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await Promise.all([sender.stop(), closeActivities(), network.close()]);
      await Promise.all([connection.close(), clientConnection.close(), knex.destroy()]);
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
