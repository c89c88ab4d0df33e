/**
 * A TMF640 network request (`serviceActivation-<monitorId>`): the provisioning operations that
 * take a service to the state a client asked for (activate, suspend, restore, deactivate), then
 * the outcome on the monitor and, when the network did it all, the service's new state.
 *
 * A refusal by the network (or retries exhausted) ends the request `InError` with the reason and
 * leaves the service's state as it was; a service that was not in the network before the request
 * and was partly brought up is taken down again (its deactivation tolerates what is absent).
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ActivationOperation } from '../domain/activation/plan';
import type { ServiceToProvision } from '../domain/provisioning/commands';

export interface ServiceActivationInput {
  monitorId: string;
  /** The TMF640 service. */
  serviceId: string;
  /** The operations, in order (domain/activation/plan.ts). */
  operations: ActivationOperation[];
  service: ServiceToProvision;
  /** The state the service reaches when every operation succeeded. */
  targetState: string;
}

export interface ServiceActivationResult {
  state: 'Completed' | 'InError';
  reason?: string;
}

/** Network commands: the element may be slow; commands are idempotent, so retries are safe. */
const network = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 8 },
});
const act = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

const RUN: Record<ActivationOperation, (input: { orderId: string; service: ServiceToProvision }) => Promise<unknown>> = {
  activate: (i) => network.activateService(i),
  deactivate: (i) => network.deactivateService(i),
  suspend: (i) => network.suspendService(i),
  restore: (i) => network.restoreService(i),
};

/** The reason to show on the monitor, and the refusing element's RETCODE when there was one. */
function failureOf(err: unknown): { reason: string; retcode?: number } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { retcode?: number } | undefined;
    return { reason: cause.message, retcode: details?.retcode };
  }
  return { reason: cause instanceof Error ? `the network did not complete the request: ${cause.message}` : 'the network did not complete the request' };
}

export async function serviceActivation(input: ServiceActivationInput): Promise<ServiceActivationResult> {
  const { monitorId, serviceId, service } = input;
  // The provisioning log keys each command by "order": here the monitor of the request.
  const request = { orderId: monitorId, service };
  const compensations: Array<() => Promise<unknown>> = [];
  try {
    for (const operation of input.operations) {
      // Registered before: a partly done activation (subscriber without data policy) is undone too.
      if (operation === 'activate') compensations.push(() => network.deactivateService(request));
      await RUN[operation](request);
    }
  } catch (err) {
    const failure = failureOf(err);
    await CancellationScope.nonCancellable(async () => {
      for (const undo of compensations.reverse()) {
        try {
          await undo();
        } catch (undoErr) {
          log.warn('compensation failed', { monitorId, error: String(undoErr) });
        }
      }
      await act.recordActivationOutcome({ monitorId, serviceId, state: 'InError', reason: failure.reason, retcode: failure.retcode });
    });
    return { state: 'InError', reason: failure.reason };
  }
  await act.recordActivationOutcome({ monitorId, serviceId, state: 'Completed', serviceState: input.targetState });
  return { state: 'Completed' };
}
