/**
 * A stand-in bill run for tests of the billing cycle workflow while the bill domain is built
 * elsewhere: one bill per account and cycle (its id named after both), the recurring prices of the
 * subscriptions in service during the cycle, taxes added, booked once on the account's ledger.
 * No proration: tests assert on the ledger and the bills the workflow reports, never on its sums.
 */
import type { Knex } from 'knex';
import type { BillRunActivities, IssuedBill } from '../../activities/billing/types';
import { subscriptionsOfAccount } from '../../db/billing';
import { accountBalance, bookAccountEntry } from '../../db/billing-ledger';
import { addDays } from '../../domain/billing/cycle';
import { money, roundToCent, sum, taxOn } from '../../domain/money';
import { uuidV5 } from '../../domain/uuid';

const BILL_NAMESPACE = '6f1c2a4e-3b1d-4c8e-9a57-0b9d5e2f7c11';

/** Days from the end of a cycle to the due date of its bill. */
export const FAKE_PAYMENT_TERM_DAYS = 14;

export function createFakeBillRun(knex: Knex): BillRunActivities & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async closeBillingCycle({ billingAccountId, cycle }): Promise<IssuedBill> {
      const billId = uuidV5(`${billingAccountId}:${cycle.start}`, BILL_NAMESPACE);
      const subscriptions = (await subscriptionsOfAccount(knex, billingAccountId)).filter(
        (s) => s.startDate < cycle.end && (!s.endDate || s.endDate > cycle.start),
      );
      const lines = subscriptions.flatMap((s) =>
        (s.prices as Array<{ priceType?: string; amount?: string; taxRate?: string; currency?: string }>)
          .filter((p) => p.priceType === 'recurring' && p.amount)
          .map((p) => roundToCent(money(p.amount!).plus(taxOn(money(p.amount!), p.taxRate ?? '0')))),
      );
      const totalCharges = roundToCent(sum(lines)).toFixed(2);
      await bookAccountEntry(knex, {
        billingAccountId,
        kind: 'bill',
        amount: totalCharges,
        currency: 'EUR',
        reference: `bill:${billId}`,
        billId,
        description: `Bill for ${cycle.start} to ${cycle.end}`,
        bookedAt: new Date(),
      });
      return {
        billId,
        billNo: `B-${cycle.start.replace(/-/g, '')}-${billingAccountId.slice(0, 8)}`,
        billingAccountId,
        cycle,
        currency: 'EUR',
        totalCharges,
        amountDue: await accountBalance(knex, billingAccountId),
        dueDate: addDays(cycle.end, FAKE_PAYMENT_TERM_DAYS),
      };
    },
    async sendBill({ billId }) {
      if (!sent.includes(billId)) sent.push(billId);
    },
  };
}
