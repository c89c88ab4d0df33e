/**
 * The time-skipping test server for tests that wait days or months, started from the binary the
 * global setup resolved (never downloaded by the SDK), with the search attributes the workflows set.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../runtime/temporal-server';

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER;
  if (!path) throw new Error('TEMPORAL_TEST_SERVER is not set: run through jest (test/global-setup.ts)');
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
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
