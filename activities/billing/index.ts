/** Billing activities for orders: a postpaid product gets its subscription, its one-time fees wait for the next bill. */
import type { Knex } from 'knex';
import { createSubscription, queueOneTimeCharges, voidOrderBilling } from '../../db/billing';
import type { Clock } from '../../domain/clock';
import type { ChargeLine, PrepaidAllowances, SoldPrice } from '../../domain/ordering/plan';
import { calendarDateIn } from '../../domain/time-zone';
import type { PlanChangeRequest } from './cycle';

/** Starts (or signals) an account's billing cycle workflow; the worker implements it with a Temporal client. */
export interface BillingCycleStarter {
  /** signalWithStart of billing-<billingAccountId>: starts it unless it runs; idempotent. */
  subscriptionsStarted(input: { billingAccountId: string; orderId: string; startDate: string }): Promise<void>;
  /** Signal `planChange` to billing-<billingAccountId> (started if it does not run); the workflow records it once. */
  planChange?(billingAccountId: string, request: PlanChangeRequest): Promise<void>;
  /** Signal `terminateAccount` to billing-<billingAccountId>: subscriptions end, the cycle is the final bill. */
  terminateAccount?(billingAccountId: string, request: { effectiveDate: string; reason?: string }): Promise<void>;
}

export interface BilledProduct {
  productKey: string;
  productId?: string;
  offeringId: string;
  offeringVersion: string;
  prices: SoldPrice[];
  /** The number of a mobile product: offline charging finds the subscription by it. */
  msisdn?: string;
  /** Allowances per bill cycle of a mobile plan. */
  allowances?: PrepaidAllowances;
}

export function createBillingActivities(deps: {
  knex: Knex;
  clock: Clock;
  /** Without it (tests of orders alone) no billing cycle is started. */
  billingCycles?: BillingCycleStarter;
}) {
  const { knex, clock } = deps;
  return {
    /** Subscriptions start on today's date in the account's time zone (proration counts from it). */
    async startBillingSubscriptions(input: {
      orderId: string;
      customerId: string;
      billingAccountId: string;
      timeZone: string;
      products: BilledProduct[];
      oneTimeCharges: ChargeLine[];
    }): Promise<{ startDate: string }> {
      const now = clock.now();
      const startDate = calendarDateIn(input.timeZone, now);
      await knex.transaction(async (trx) => {
        for (const p of input.products) {
          await createSubscription(trx, { ...p, billingAccountId: input.billingAccountId, customerId: input.customerId, orderId: input.orderId, startDate, now });
        }
        await queueOneTimeCharges(
          trx,
          input.oneTimeCharges.map((c) => ({ ...c, billingAccountId: input.billingAccountId, orderId: input.orderId })),
          now,
        );
      });
      // After the commit: the billing cycle reads these subscriptions. A retry signals again, harmlessly.
      await deps.billingCycles?.subscriptionsStarted({ billingAccountId: input.billingAccountId, orderId: input.orderId, startDate });
      return { startDate };
    },

    /** Compensation: the order's subscriptions and unbilled charges are voided. */
    async voidOrderBilling(input: { orderId: string }): Promise<void> {
      await knex.transaction((trx) => voidOrderBilling(trx, input.orderId));
    },
  };
}
