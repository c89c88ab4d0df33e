/**
 * The time-skipping test server for tests that wait days or months, started from the binary the
 * global setup resolved (never downloaded by the SDK), with the search attributes the workflows set.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../runtime/temporal-server';

/** Starts of the server tried before giving up (see startServer). */
const SERVER_STARTS = 3;

/**
 * Starts a server on a port the SDK picks. The server is up in about 30 ms, but the SDK gives it a
 * fixed 5 s and then fails: that happened once in a full run, with nothing listening on the port it
 * had picked (the server had not come up there at all, e.g. the port taken between the SDK's pick
 * and the server's bind by another test file starting its own). A new start picks a new port; only
 * that failure is tried again, and nothing of a test runs before the server is up.
 */
async function startServer(path: string): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
    } catch (err) {
      if (attempt >= SERVER_STARTS || !/did not start within/.test(String((err as Error).message))) throw err;
    }
  }
}

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER;
  if (!path) throw new Error('TEMPORAL_TEST_SERVER is not set: run through jest (test/global-setup.ts)');
  const env = await startServer(path);
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTES.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return env;
}

const { EventType } = temporal.api.enums.v1;
/** Last events of a run that has a workflow task or an activity still out. */
const BUSY = new Set([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
]);

/**
 * Terminates a run once it is at rest: no workflow task and no activity out. The time-skipping
 * server, told to end a run while one of its activities is out, afterwards takes real time for the
 * time that env.sleep or a result wait skips (minutes for days), so tests end long-lived runs
 * (billing cycles) only at rest.
 */
export async function terminateAtRest(handle: WorkflowHandle, reason = 'test over', timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
    const last = history.events?.at(-1)?.eventType;
    if (description.status.name !== 'RUNNING') return;
    if (last != null && !BUSY.has(last) && !description.raw.pendingActivities?.length) break;
    if (Date.now() > deadline) throw new Error(`workflow ${handle.workflowId} never came to rest`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await handle.terminate(reason);
}
