/**
 * The floor of the order benchmark: a bare workflow that runs `count` no-op activities one after
 * another, with the activity options of the order workflow. It measures what Temporal, the worker
 * and the machine cost for that many steps, with none of our I/O.
 */
import { proxyActivities } from '@temporalio/workflow';

/** The floor worker's activities: each does nothing. */
export interface FloorActivities {
  noop(step: number): Promise<void>;
}

const { noop } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** Runs `count` no-op activities in sequence, as the order workflow runs its steps. */
export async function floorWorkflow(input: { count: number }): Promise<number> {
  for (let step = 1; step <= input.count; step++) await noop(step);
  return input.count;
}
