/**
 * A prepaid top-up paid by card (`topup-<topupId>`): charge the card once, credit the money
 * bucket once, tell the customer. A declined card fails the top-up with the reason and credits
 * nothing; a failure after the charge refunds it (compensation) before the top-up is failed.
 *
 * The top-up's own state settles every failure: it goes from `created` to `completed` (with the
 * credit, in one transaction) or to `failed`, never both. So a failure first fails the top-up,
 * and only a top-up that failed is refunded: a credit that committed although the workflow saw an
 * error (a timed-out or cancelled activity can commit) completes it instead, and once failed it
 * can no longer be credited. A telling of the customer that fails never undoes a top-up.
 */
import { CancellationScope, isCancellation, log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CardTopUpInput } from '../activities/prepay';
import { failureReason } from './common';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});
/**
 * The gateway's steps. A charge whose outcome is unknown (the gateway did not answer, the database
 * failed) is learned only by asking again with the same idempotency key, and a refund owed must be
 * made: both are retried until they are answered. An operator sees such a run in the Web UI.
 */
const gateway = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 minutes' },
});
const notify = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', heartbeatTimeout: '30 seconds', retry: { maximumAttempts: 5 } });

/** Runs that settle failures on the top-up's state (above); runs started before take the path they began on. */
const SETTLE_ON_TOPUP_STATE = 'topup-settles-on-its-state';

export type TopUpOutcome = { status: 'completed'; balance: string } | { status: 'failed'; reason: string; refunded?: string };

type Tell = (event: 'topUpCompleted' | 'topUpFailed', params: Record<string, unknown>) => Promise<void>;

export async function prepaidTopUp(input: CardTopUpInput): Promise<TopUpOutcome> {
  const tell: Tell = (event, params) =>
    notify.notifyTopUpCustomer({ topupId: input.topupId, customerId: input.customerId, event, params: { topupId: input.topupId, amount: input.amount, currency: input.currency, ...params } });
  if (!patched(SETTLE_ON_TOPUP_STATE)) return compensatingOnError(input, tell);

  // The top-up is settled whatever the telling does.
  const tellQuietly: Tell = async (event, params) => {
    try {
      await tell(event, params);
    } catch (err) {
      log.error('top-up notification failed', { topupId: input.topupId, event, error: String(err) });
    }
  };

  let charge;
  try {
    charge = await gateway.chargeTopUpCard(input);
  } catch (err) {
    // Refused for good (its key was used for another amount), or the run was cancelled.
    return settleFailure(input, tellQuietly, err, 'the card could not be charged');
  }
  if (charge.status === 'declined') {
    await act.failTopUp({ topupId: input.topupId, reason: charge.reason });
    await tellQuietly('topUpFailed', { reason: charge.reason });
    return { status: 'failed', reason: charge.reason };
  }
  let balance: string;
  try {
    ({ balance } = await act.creditTopUp(input));
  } catch (err) {
    return settleFailure(input, tellQuietly, err, 'the balance could not be credited');
  }
  await tellQuietly('topUpCompleted', { balance });
  return { status: 'completed', balance };
}

/**
 * After a failure once the card may have been charged: fails the top-up unless its credit
 * committed, then refunds what was charged. A cancelled run ends cancelled once this is done.
 */
async function settleFailure(input: CardTopUpInput, tell: Tell, err: unknown, fallback: string): Promise<TopUpOutcome> {
  const reason = failureReason(err, fallback);
  const outcome = await CancellationScope.nonCancellable(async (): Promise<TopUpOutcome> => {
    const settled = await act.failTopUp({ topupId: input.topupId, reason });
    if (settled.status === 'completed') {
      await tell('topUpCompleted', { balance: settled.balance });
      return settled;
    }
    const { refunded } = await gateway.refundTopUpCharge({ topupId: input.topupId });
    await tell('topUpFailed', { reason, ...(refunded ? { refunded } : {}) });
    return { status: 'failed', reason, ...(refunded ? { refunded } : {}) };
  });
  if (isCancellation(err)) throw err;
  return outcome;
}

/** The steps of runs started before SETTLE_ON_TOPUP_STATE, kept so that they replay as they ran. */
async function compensatingOnError(input: CardTopUpInput, tell: Tell): Promise<TopUpOutcome> {
  const charge = await act.chargeTopUpCard(input);
  if (charge.status === 'declined') {
    await act.failTopUp({ topupId: input.topupId, reason: charge.reason });
    await tell('topUpFailed', { reason: charge.reason });
    return { status: 'failed', reason: charge.reason };
  }
  let refunded: string | null = null;
  try {
    const { balance } = await act.creditTopUp(input);
    await tell('topUpCompleted', { balance });
    return { status: 'completed', balance };
  } catch (err) {
    const reason = failureReason(err, 'the balance could not be credited');
    await CancellationScope.nonCancellable(async () => {
      try {
        refunded = (await act.refundTopUpCharge({ topupId: input.topupId })).refunded;
      } catch (compensationError) {
        log.error('top-up compensation failed', { topupId: input.topupId, error: String(compensationError) });
      }
      await act.failTopUp({ topupId: input.topupId, reason });
      await tell('topUpFailed', { reason, ...(refunded ? { refunded } : {}) });
    });
    throw err;
  }
}
