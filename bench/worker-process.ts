/**
 * A worker in its own process, as production runs it (`npm run worker`), forked by a benchmark:
 * `orders` is the real worker (worker/main.ts startWorker), `floor` a worker with the same options
 * that runs bench/floor-workflow.ts with no-op activities on its own task queue. Tells its parent
 * `ready` over IPC once polling, and stops on `stop`.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import { startWorker, type WorkerHandle } from '../worker/main';
import type { FloorActivities } from './floor-workflow';

/** Task queue of the floor worker. */
export const FLOOR_TASK_QUEUE = 'bench-floor';

async function startFloorWorker(env: NodeJS.ProcessEnv): Promise<WorkerHandle> {
  const config = loadConfig(env);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const activities: FloorActivities = { noop: async () => undefined };
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: FLOOR_TASK_QUEUE,
    activities,
    workflowsPath: require.resolve('./floor-workflow'),
  });
  const running = worker.run();
  return {
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode !== 'orders' && mode !== 'floor') throw new Error(`usage: worker-process.ts orders|floor (got ${mode})`);
  const handle = mode === 'orders' ? await startWorker(process.env) : await startFloorWorker(process.env);
  process.on('message', (message) => {
    if (message !== 'stop') return;
    void handle.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
  process.send?.('ready');
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
