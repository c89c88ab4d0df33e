/** The billing cycle starter the billing activities call: signalWithStart of billing-<billingAccountId>. */
import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { BillingCycleStarter } from '../activities/billing';
import { billingCycle, billingCycleWorkflowId, planChangeSignal, subscriptionsStartedSignal, terminateAccountSignal } from '../workflows/billing-cycle';

/** Starts an account's billing cycle on `taskQueue` unless it runs, and signals it what changed. */
export function temporalBillingCycleStarter(client: Client, taskQueue: string): BillingCycleStarter {
  /** `firstCycleDate` is only used when this starts the workflow: the first cycle is the one the change falls in. */
  const signal = async <T>(billingAccountId: string, firstCycleDate: string, definition: SignalDefinition<[T]>, arg: T): Promise<void> => {
    await client.workflow.signalWithStart(billingCycle, {
      taskQueue,
      workflowId: billingCycleWorkflowId(billingAccountId),
      args: [{ billingAccountId, firstCycleDate }],
      signal: definition,
      signalArgs: [arg],
      searchAttributes: { BillingAccountId: [billingAccountId] },
    });
  };
  return {
    subscriptionsStarted: ({ billingAccountId, orderId, startDate }) => signal(billingAccountId, startDate, subscriptionsStartedSignal, { orderId, startDate }),
    planChange: (billingAccountId, request) => signal(billingAccountId, request.effectiveDate, planChangeSignal, request),
    terminateAccount: (billingAccountId, request) => signal(billingAccountId, request.effectiveDate, terminateAccountSignal, request),
  };
}
