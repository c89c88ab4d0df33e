/**
 * The Temporal test infrastructure itself: the worker runs the bundle built once per run against
 * the dev server, and the time-skipping server turns a month of workflow time into moments.
 */
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { startWorker } from '../worker/main';
import { testTaskQueue } from './helpers/api';
import { createTimeSkippingEnv } from './helpers/time-skipping';
import { monthTimer, wakeUp } from './workflows/month-timer';

describe('Temporal for tests', () => {
  it('starts the worker from the prebuilt bundle against the dev server', async () => {
    const worker = await startWorker({ ...process.env, TEMPORAL_TASK_QUEUE: testTaskQueue('infrastructure') }, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, schedules: false });
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    try {
      const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(namespaceInfo?.name).toBe('default');
      // The dev server was started with the search attributes the workflows set.
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['CustomerId', 'OrderId', 'OrderState', 'Msisdn', 'BillingAccountId']));
    } finally {
      await connection.close();
      await worker.stop();
    }
  });

  it('skips a month of workflow time on the time-skipping server', async () => {
    const env = await createTimeSkippingEnv();
    try {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'month-timer',
        workflowsPath: require.resolve('./workflows/month-timer'),
      });
      const client: Client = env.client;
      const result = await worker.runUntil(async () => {
        const slept = await client.workflow.execute(monthTimer, { taskQueue: 'month-timer', workflowId: `timer-${randomUUID()}` });
        const handle = await client.workflow.start(monthTimer, { taskQueue: 'month-timer', workflowId: `timer-${randomUUID()}` });
        await handle.signal(wakeUp);
        return { slept, woken: await handle.result() };
      });
      // A month of workflow time has passed within the test's timeout: the server skipped it.
      expect(result.slept).toBe('month passed');
      expect(result.woken).toBe('woken');
    } finally {
      await env.teardown();
    }
  }, 90_000);
});
