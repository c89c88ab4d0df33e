/**
 * Prepay housekeeping, started every minute by the `prepay-housekeeping` schedule: reservations
 * past their end are released, allowances past their validity emptied, and low balances told.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const act = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', heartbeatTimeout: '30 seconds', retry: { maximumAttempts: 3 } });

export async function prepayHousekeeping(): Promise<{ reservationsReleased: number; bucketsExpired: number; lowBalanceNotices: number }> {
  const reservationsReleased = await act.releaseExpiredReservations();
  const bucketsExpired = await act.expireAllowanceBuckets();
  const lowBalanceNotices = await act.notifyLowBalances();
  if (reservationsReleased + bucketsExpired + lowBalanceNotices > 0) log.info('prepay housekeeping', { reservationsReleased, bucketsExpired, lowBalanceNotices });
  return { reservationsReleased, bucketsExpired, lowBalanceNotices };
}
