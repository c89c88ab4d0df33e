/**
 * Prepaid charging of change orders. A plan change ends the old plan's allowances at once (prepay
 * housekeeping debits what is left, as for any expired allowance) and loads the new plan's; the
 * money balance stays. A terminated line's number stops drawing on the charging account and its
 * allowances end; the account's money stays on the account (it is the customer's, shared by the
 * account's lines, and refunded on request through TMF654 adjustments, not by the order).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { addAllowanceBuckets, closeChargingSubscribers, endAllowances, removeOrderCharging, restoreAllowances, type EndedAllowance } from '../../db/charging';
import type { Clock } from '../../domain/clock';
import type { PrepaidAllowances } from '../../domain/ordering/plan';

export function createChargingChangeActivities(deps: { knex: Knex; clock: Clock }) {
  const { knex, clock } = deps;
  return {
    /** Ends the line's current allowances and loads the new plan's (buckets keyed by this order and item). */
    async changePrepaidPlan(input: { orderId: string; itemId: string; msisdn: string; originPrefixes: string[]; allowances: PrepaidAllowances }): Promise<{ ended: EndedAllowance[] }> {
      const now = clock.now();
      return knex.transaction(async (trx) => {
        const sub = await trx('charging_subscriber').where({ msisdn: input.msisdn }).first('charging_account_id');
        // Another attempt would find none either: the order fails and its compensations run.
        if (!sub) throw ApplicationFailure.nonRetryable(`number ${input.msisdn} has no charging subscriber`, 'NoChargingSubscriber');
        // This order's own buckets are new: a retry must not end them.
        const ended = await endAllowances(trx, input.originPrefixes.filter((p) => !p.startsWith(`order:${input.orderId}:`)), now);
        await addAllowanceBuckets(trx, { chargingAccountId: sub.charging_account_id, msisdn: input.msisdn, allowances: input.allowances, originOf: (type) => `order:${input.orderId}:${input.itemId}:${type}`, now });
        return { ended };
      });
    },

    /** Compensation: the new plan's unused buckets go, the old allowances get their validity (and what expired of them) back. */
    async revertPrepaidPlanChange(input: { orderId: string; ended: EndedAllowance[] }): Promise<void> {
      await knex.transaction(async (trx) => {
        const now = clock.now();
        await removeOrderCharging(trx, input.orderId, [], now);
        await restoreAllowances(trx, input.ended, now);
      });
    },

    /** A terminated prepaid line: its number is closed for charging and its allowances end. */
    async closePrepaidLine(input: { msisdn: string; originPrefixes: string[] }): Promise<void> {
      await knex.transaction(async (trx) => {
        const now = clock.now();
        await closeChargingSubscribers(trx, [input.msisdn], now);
        await endAllowances(trx, input.originPrefixes, now);
      });
    },
  };
}
