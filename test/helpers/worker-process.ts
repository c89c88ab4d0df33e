/**
 * A worker in a process of its own, so that a test can kill it (SIGKILL) like a crashed host:
 * `node --import tsx test/helpers/worker-process.ts` with the test run's env (NETWORK_URL,
 * TEMPORAL_TASK_QUEUE, TEST_WORKFLOW_BUNDLE …). Prints `worker ready` once it polls its queue.
 */
import { startWorker } from '../../worker/main';

startWorker(process.env, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, schedules: false })
  .then(({ stop }) => {
    process.stdout.write('worker ready\n');
    const shutdown = () => void stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
