/**
 * The activity proxies of an order's workflows (orderFulfilment and its change path), with their
 * timeouts and retries. Every activity heartbeats while it runs (the worker wraps them): one that
 * was running on a worker that died is retried after the heartbeat timeout, not after its whole
 * start-to-close timeout.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const HEARTBEAT_TIMEOUT = '10 seconds';

/** Database work: short, retried often. */
export const act = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** Network commands: the simulator may be slow; commands are idempotent, so retries are safe. */
export const network = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 8 },
});

/** Customer notices: an e-mail or SMS gateway may be slow to answer. */
export const notify = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});
