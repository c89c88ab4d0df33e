/** The billing cycle starter the billing activities call: signalWithStart of billing-<billingAccountId>. */
import type { Client } from '@temporalio/client';
import type { BillingCycleStarter } from '../activities/billing';
import { billingCycle, billingCycleWorkflowId, planChangeSignal, subscriptionsStartedSignal, terminateAccountSignal } from '../workflows/billing-cycle';

/** Starts an account's billing cycle on `taskQueue` unless it runs, and tells it of the new subscriptions. */
export function temporalBillingCycleStarter(client: Client, taskQueue: string): BillingCycleStarter {
  return {
    async subscriptionsStarted({ billingAccountId, orderId, startDate }) {
      await client.workflow.signalWithStart(billingCycle, {
        taskQueue,
        workflowId: billingCycleWorkflowId(billingAccountId),
        // Only used when this starts the workflow: the first cycle is the one the subscription starts in.
        args: [{ billingAccountId, firstCycleDate: startDate }],
        signal: subscriptionsStartedSignal,
        signalArgs: [{ orderId, startDate }],
        searchAttributes: { BillingAccountId: [billingAccountId] },
      });
    },
    async planChange(billingAccountId, request) {
      await client.workflow.signalWithStart(billingCycle, {
        taskQueue,
        workflowId: billingCycleWorkflowId(billingAccountId),
        args: [{ billingAccountId, firstCycleDate: request.effectiveDate }],
        signal: planChangeSignal,
        signalArgs: [request],
        searchAttributes: { BillingAccountId: [billingAccountId] },
      });
    },
    async terminateAccount(billingAccountId, request) {
      await client.workflow.signalWithStart(billingCycle, {
        taskQueue,
        workflowId: billingCycleWorkflowId(billingAccountId),
        args: [{ billingAccountId, firstCycleDate: request.effectiveDate }],
        signal: terminateAccountSignal,
        signalArgs: [request],
        searchAttributes: { BillingAccountId: [billingAccountId] },
      });
    },
  };
}
