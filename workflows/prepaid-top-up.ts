/**
 * A prepaid top-up paid by card (`topup-<topupId>`): charge the card once, credit the money
 * bucket once, tell the customer. A declined card fails the top-up with the reason and credits
 * nothing; a failure after the charge refunds it (compensation) before the top-up is failed.
 */
import { CancellationScope, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CardTopUpInput } from '../activities/prepay';
import { failureReason } from './common';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});
const notify = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', heartbeatTimeout: '30 seconds', retry: { maximumAttempts: 5 } });

export type TopUpOutcome = { status: 'completed'; balance: string } | { status: 'failed'; reason: string; refunded?: string };

export async function prepaidTopUp(input: CardTopUpInput): Promise<TopUpOutcome> {
  const tell = (event: 'topUpCompleted' | 'topUpFailed', params: Record<string, unknown>) =>
    notify.notifyTopUpCustomer({ topupId: input.topupId, customerId: input.customerId, event, params: { topupId: input.topupId, amount: input.amount, currency: input.currency, ...params } });

  const charge = await act.chargeTopUpCard(input);
  if (charge.status === 'declined') {
    await act.failTopUp({ topupId: input.topupId, reason: charge.reason });
    await tell('topUpFailed', { reason: charge.reason });
    return { status: 'failed', reason: charge.reason };
  }

  const compensations: Array<() => Promise<unknown>> = [];
  let refunded: string | null = null;
  compensations.unshift(async () => {
    refunded = (await act.refundTopUpCharge({ topupId: input.topupId })).refunded;
  });
  try {
    const { balance } = await act.creditTopUp(input);
    await tell('topUpCompleted', { balance });
    return { status: 'completed', balance };
  } catch (err) {
    const reason = failureReason(err, 'the balance could not be credited');
    await CancellationScope.nonCancellable(async () => {
      for (const compensate of compensations) {
        try {
          await compensate();
        } catch (compensationError) {
          log.error('top-up compensation failed', { topupId: input.topupId, error: String(compensationError) });
        }
      }
      await act.failTopUp({ topupId: input.topupId, reason });
      await tell('topUpFailed', { reason, ...(refunded ? { refunded } : {}) });
    });
    throw err;
  }
}
