/** Charging activities for orders: a prepaid line gets its charging account, number and buckets. */
import type { Knex } from 'knex';
import { addAllowanceBuckets, addBucket, addChargingSubscriber, openChargingAccount, removeOrderCharging } from '../../db/charging';
import type { Clock } from '../../domain/clock';
import type { PrepaidAllowances } from '../../domain/ordering/plan';

export interface PrepaidLine {
  serviceKey: string;
  msisdn: string;
  imsi: string;
  productId?: string;
  /** Money the line starts with, if any. */
  credit?: string;
  allowances: PrepaidAllowances;
}

/** Cash is used after allowances. */
const CASH_PRIORITY = 100;

export function createChargingActivities(deps: { knex: Knex; clock: Clock }) {
  const { knex, clock } = deps;
  return {
    /** Opens (or finds) the charging account of the billing account and loads each line's buckets. */
    async openPrepaidCharging(input: { orderId: string; customerId: string; billingAccountId: string; currency: string; lines: PrepaidLine[] }): Promise<{ chargingAccountId: string }> {
      const now = clock.now();
      return knex.transaction(async (trx) => {
        const chargingAccountId = await openChargingAccount(trx, { customerId: input.customerId, billingAccountId: input.billingAccountId, currency: input.currency, now });
        for (const line of input.lines) {
          await addChargingSubscriber(trx, { msisdn: line.msisdn, imsi: line.imsi, chargingAccountId, productId: line.productId, now });
          const origin = (type: string) => `order:${input.orderId}:${line.serviceKey}:${type}`;
          if (line.credit) {
            await addBucket(trx, { chargingAccountId, origin: origin('money'), type: 'money', unit: input.currency, amount: line.credit, priority: CASH_PRIORITY, validFrom: now });
          }
          await addAllowanceBuckets(trx, { chargingAccountId, msisdn: line.msisdn, allowances: line.allowances, originOf: origin, now });
        }
        return { chargingAccountId };
      });
    },

    /** Compensation: removes the order's unused buckets and closes its numbers on the account. */
    async closeOrderCharging(input: { orderId: string; msisdns: string[] }): Promise<void> {
      await knex.transaction((trx) => removeOrderCharging(trx, input.orderId, input.msisdns, clock.now()));
    },
  };
}
