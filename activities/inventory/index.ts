/** Inventory activities: the number pool's housekeeping (orders add SIM and port allocation). */
import type { Knex } from 'knex';
import { releaseExpiredReservations } from '../../db/inventory';
import type { Clock } from '../../domain/clock';

export function createInventoryActivities(deps: { knex: Knex; clock: Clock }) {
  return {
    /** Returns every number whose reservation passed its deadline unconfirmed to the pool; returns how many. */
    async releaseAbandonedNumberReservations(): Promise<number> {
      return releaseExpiredReservations(deps.knex, deps.clock.now());
    },
  };
}
