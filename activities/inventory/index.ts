/**
 * Inventory activities: the number pool's housekeeping, and the resources of an order (its mobile
 * number and SIM card, its FTTH port), reserved, confirmed and released with the order id as owner.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import {
  confirmOwnerResources,
  releaseExpiredNumberReservations,
  releaseOwnerResources,
  reserveOrderMsisdn,
  reservePort,
  reserveSim,
  type InventoryContext,
  type OwnerResources,
  type PortReservation,
} from '../../db/resource-inventory';
import type { Clock } from '../../domain/clock';

export interface MobileResources {
  msisdn: string;
  iccid: string;
  imsi: string;
}

export function createInventoryActivities(deps: { knex: Knex; clock: Clock; publicUrl: string }) {
  const ctx = (): InventoryContext => ({ now: deps.clock.now(), publicUrl: deps.publicUrl });
  return {
    /** Returns every number whose reservation passed its deadline unconfirmed to the pool; returns how many. */
    async releaseAbandonedNumberReservations(): Promise<number> {
      return releaseExpiredNumberReservations(deps.knex, ctx());
    },

    /**
     * Reserves the order's number (the customer's registration reservation, else the number asked
     * for, else any) and a SIM card, both or neither. Idempotent per order. Non-retryable failures:
     * `NumberUnavailable` (the number asked for is taken), `NumberPoolEmpty`, `SimStockEmpty`.
     */
    async reserveMobileResources(input: { orderId: string; customerId: string; msisdn?: string }): Promise<MobileResources> {
      const owner = input.orderId;
      return deps.knex.transaction(async (trx) => {
        const number = await reserveOrderMsisdn(trx, { owner, customerId: input.customerId, msisdn: input.msisdn }, ctx());
        if ('reason' in number) {
          if (number.reason === 'numberUnavailable') {
            throw ApplicationFailure.nonRetryable(`the number ${number.msisdn} is not available`, 'NumberUnavailable');
          }
          throw ApplicationFailure.nonRetryable('no mobile number is available in the inventory', 'NumberPoolEmpty');
        }
        const sim = await reserveSim(trx, { owner, customerId: input.customerId }, ctx());
        if (!sim) throw ApplicationFailure.nonRetryable('no SIM card is left in stock', 'SimStockEmpty');
        return { msisdn: number.msisdn, iccid: sim.iccid, imsi: sim.imsi };
      });
    },

    /**
     * Reserves an FTTH port in the service area of the postal code. `noCapacity` means the order
     * waits until ports are added to that area; `unknownArea` that no area covers the code.
     */
    async reserveFtthPort(input: { orderId: string; customerId: string; postalCode: string }): Promise<PortReservation> {
      return reservePort(deps.knex, { owner: input.orderId, customerId: input.customerId, postalCode: input.postalCode }, ctx());
    },

    /** Every resource the order reserved becomes in use (idempotent). */
    async confirmOrderResources(input: { orderId: string }): Promise<OwnerResources> {
      return confirmOwnerResources(deps.knex, input.orderId, ctx());
    },

    /** Compensation: everything the order holds goes back (idempotent). */
    async releaseOrderResources(input: { orderId: string }): Promise<OwnerResources> {
      return releaseOwnerResources(deps.knex, input.orderId, ctx());
    },
  };
}
