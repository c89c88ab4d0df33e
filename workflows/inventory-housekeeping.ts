/**
 * Inventory housekeeping, started by the `inventory-housekeeping` schedule: numbers reserved at
 * registration and never confirmed by an order go back to the pool once their hold has passed,
 * and so do numbers of terminated lines once their quarantine is over.
 */
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { releaseAbandonedNumberReservations, releaseAgedQuarantinedNumbers } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

export async function inventoryHousekeeping(): Promise<{ numbersReleased: number; quarantineEnded?: number }> {
  const numbersReleased = await releaseAbandonedNumberReservations();
  if (numbersReleased > 0) log.info('released abandoned number reservations', { numbersReleased });
  // Behind a patch: runs recorded before the quarantine existed replay without this step.
  if (patched('release-aged-quarantined-numbers')) {
    const quarantineEnded = await releaseAgedQuarantinedNumbers();
    if (quarantineEnded > 0) log.info('released numbers out of quarantine', { quarantineEnded });
    return { numbersReleased, quarantineEnded };
  }
  return { numbersReleased };
}
