/**
 * Prepay housekeeping, run every minute by the `prepay-housekeeping` schedule, outside the
 * charging hot path: releases TMF654 reservations past their end, empties allowances past their
 * validity, and tells customers whose money balance fell below their threshold (once per crossing).
 * Each takes an optional list of charging accounts to limit the run to (the schedule gives none).
 */
import { reserveBalanceModel } from '../../db/prepay-models';
import { armedAccountsBelowThreshold, type AccountScope, disarmLowBalance, dueExpiredBuckets, dueReservationHolds, expireBucket, releaseReservationHold } from '../../db/prepay-housekeeping';
import { findResource } from '../../db/tmf-resources';
import { patchTmfResource } from '../../db/tmf-store';
import { Money, money } from '../../domain/money';
import { notifyCustomer, type PrepayDeps } from './top-up';

export function createPrepayHousekeepingActivities(deps: PrepayDeps) {
  const { knex, clock } = deps;
  return {
    /** Releases every reservation past its end; returns how many. */
    async releaseExpiredReservations(only?: AccountScope): Promise<number> {
      const now = clock.now();
      let released = 0;
      for (const id of await dueReservationHolds(knex, now, only)) {
        await knex.transaction(async (trx) => {
          // The reservation's document first, then its bucket: the order a cancel locks them in.
          await findResource(trx, reserveBalanceModel.table, id, { forUpdate: true });
          if (!(await releaseReservationHold(trx, id, now))) return;
          await patchTmfResource(trx, reserveBalanceModel, id, { releaseDate: now.toISOString() }, now);
          released += 1;
        });
      }
      return released;
    },

    /** Debits what is left of every allowance past its validity; returns how many buckets. */
    async expireAllowanceBuckets(only?: AccountScope): Promise<number> {
      const now = clock.now();
      let expired = 0;
      for (const id of await dueExpiredBuckets(knex, now, only)) {
        if (await knex.transaction((trx) => expireBucket(trx, id, now))) expired += 1;
      }
      return expired;
    },

    /**
     * Tells each customer whose money balance is below its threshold while the notice is armed,
     * then disarms it. The notice's key counts the crossings, so a retry sends it once.
     */
    async notifyLowBalances(only?: AccountScope): Promise<number> {
      const now = clock.now();
      let notified = 0;
      for (const a of await armedAccountsBelowThreshold(knex, now, deps.lowBalanceThreshold, only)) {
        await notifyCustomer(deps, {
          customerId: a.customerId,
          event: 'lowBalance',
          // A balance below zero (spent into a credit limit) is told as nothing left; the rest in
          // whole cents down, so that a balance below the threshold never reads as reaching it.
          params: { balance: money(a.balance).lt(0) ? '0' : money(a.balance).toDecimalPlaces(2, Money.ROUND_DOWN).toFixed(2), currency: a.currency, threshold: a.threshold },
          key: `lowBalance-${a.chargingAccountId}:${a.crossings + 1}`,
          relatedEntity: { id: a.chargingAccountId, '@referredType': 'ChargingAccount' },
        });
        if (await disarmLowBalance(knex, a.chargingAccountId, a.crossings, a.balance, now, deps.lowBalanceThreshold)) notified += 1;
      }
      return notified;
    },
  };
}
