/**
 * Billing of change orders: a postpaid plan change goes to the account's billing cycle workflow
 * (signal `planChange`; the next bill prorates the old and the new plan by day), a terminated
 * product's subscription ends on the termination date (the next bill prorates to it), and when
 * it was the account's last live subscription the workflow's account termination runs (signal
 * `terminateAccount`: the cycle it falls in is the final bill).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { endProductSubscriptions, liveSubscriptionOfProduct, recordPlanChange } from '../../db/billing';
import type { Clock } from '../../domain/clock';
import type { PrepaidAllowances, SoldPrice } from '../../domain/ordering/plan';
import { calendarDateIn } from '../../domain/time-zone';
import type { BillingCycleStarter } from '.';

export function createBillingChangeActivities(deps: { knex: Knex; clock: Clock; billingCycles?: BillingCycleStarter }) {
  const { knex, clock } = deps;
  return {
    /**
     * A postpaid plan change from today (account time zone): signals the billing cycle, which
     * records it once (keyed by the order). Without a billing cycle starter (orders tested alone)
     * it is recorded directly, to the same effect.
     */
    async changeBillingPlan(input: {
      orderId: string;
      billingAccountId: string;
      productId: string;
      timeZone: string;
      offeringId: string;
      offeringVersion: string;
      prices: SoldPrice[];
      allowances?: PrepaidAllowances;
    }): Promise<{ effectiveDate: string; subscriptionId: string }> {
      const subscription = await liveSubscriptionOfProduct(knex, input.productId);
      // A retry after the change was recorded finds the new subscription (keyed by this order).
      if (!subscription) throw ApplicationFailure.nonRetryable(`product ${input.productId} has no live billing subscription`, 'NoBillingSubscription');
      if (subscription.orderId === input.orderId) return { effectiveDate: subscription.startDate, subscriptionId: subscription.id };
      const effectiveDate = calendarDateIn(input.timeZone, clock.now());
      const { dataOctets, voiceSeconds, smsEvents } = input.allowances ?? {};
      const request = {
        changeId: input.orderId,
        subscriptionId: subscription.id,
        effectiveDate,
        offeringId: input.offeringId,
        offeringVersion: input.offeringVersion,
        prices: input.prices,
        allowances: { dataOctets, voiceSeconds, smsEvents },
      };
      if (deps.billingCycles?.planChange) await deps.billingCycles.planChange(input.billingAccountId, request);
      else await recordPlanChange(knex, { ...request, now: clock.now() });
      return { effectiveDate, subscriptionId: subscription.id };
    },

    /**
     * Ends the product's subscription today (account time zone). When no live subscription is
     * left on the account, its billing cycle is told to terminate the account (final bill).
     */
    async endProductBilling(input: { orderId: string; billingAccountId: string; productId: string; timeZone: string }): Promise<{ endDate: string; lastProduct: boolean }> {
      const endDate = calendarDateIn(input.timeZone, clock.now());
      const { liveLeft } = await knex.transaction((trx) => endProductSubscriptions(trx, input.billingAccountId, input.productId, endDate));
      const lastProduct = liveLeft === 0;
      // After the commit; a retry signals again, which the workflow takes once.
      if (lastProduct) await deps.billingCycles?.terminateAccount?.(input.billingAccountId, { effectiveDate: endDate, reason: `last product terminated by order ${input.orderId}` });
      return { endDate, lastProduct };
    },
  };
}
