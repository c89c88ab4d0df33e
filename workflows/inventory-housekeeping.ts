/**
 * Inventory housekeeping, started by the `inventory-housekeeping` schedule: numbers reserved at
 * registration and never confirmed by an order go back to the pool once their hold has passed.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { releaseAbandonedNumberReservations } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

export async function inventoryHousekeeping(): Promise<{ numbersReleased: number }> {
  const numbersReleased = await releaseAbandonedNumberReservations();
  if (numbersReleased > 0) log.info('released abandoned number reservations', { numbersReleased });
  return { numbersReleased };
}
