/**
 * Prepay housekeeping, started every minute by the `prepay-housekeeping` schedule: reservations
 * past their end are released, allowances past their validity emptied, and low balances told.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AccountScope } from '../activities/prepay';

const act = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', heartbeatTimeout: '30 seconds', retry: { maximumAttempts: 3 } });

/** `only` limits the run to some charging accounts; the schedule gives none (every account). */
export async function prepayHousekeeping(only?: AccountScope): Promise<{ reservationsReleased: number; bucketsExpired: number; lowBalanceNotices: number }> {
  const reservationsReleased = await act.releaseExpiredReservations(only);
  const bucketsExpired = await act.expireAllowanceBuckets(only);
  const lowBalanceNotices = await act.notifyLowBalances(only);
  if (reservationsReleased + bucketsExpired + lowBalanceNotices > 0) log.info('prepay housekeeping', { reservationsReleased, bucketsExpired, lowBalanceNotices });
  return { reservationsReleased, bucketsExpired, lowBalanceNotices };
}
