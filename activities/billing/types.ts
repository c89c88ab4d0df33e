/**
 * What the billing cycle workflow asks of the bill run, and what the bill run asks of rated
 * usage. The workflow (billing-<billingAccountId>) closes each cycle through these activities;
 * amounts are decimal strings with 2 decimals, dates calendar dates in the account's time zone.
 */
import type { RatedUsage } from '../../domain/billing/bill';
import type { BillCycle } from '../../domain/billing/cycle';

/** A bill as issued for one cycle of one account. */
export interface IssuedBill {
  billId: string;
  /** Human-readable bill number printed on the bill. */
  billNo: string;
  billingAccountId: string;
  cycle: BillCycle;
  currency: string;
  /** Charges of this cycle, taxes included. */
  totalCharges: string;
  /** What the account owes once this bill is issued (previous balance − payments + charges). */
  amountDue: string;
  /** Calendar date by which the amount due should be paid. */
  dueDate: string;
}

/** The bill run as the billing cycle workflow calls it. */
export interface BillRunActivities {
  /**
   * Closes the cycle of an account and issues its bill; exactly one bill per account and cycle,
   * however often it is retried (a retry returns the bill issued first).
   */
  closeBillingCycle(input: { billingAccountId: string; cycle: BillCycle }): Promise<IssuedBill>;
  /** Emails the bill with its PDF to the customer, once per bill. */
  sendBill(input: { billId: string }): Promise<void>;
}

/** Rated, unbilled usage of one account in one cycle, summed per subscription, usage type, band and price. */
export type UsageToBill = RatedUsage;

/** How the bill run reads rated usage (implemented by the usage domain in db/usage-billing.ts). */
export interface UsageForBilling {
  usageToBill(billingAccountId: string, cycleStart: string): Promise<UsageToBill[]>;
  /** Marks the usage billed by `billId` as such; returns how many records it marked. */
  markUsageBilled(billingAccountId: string, cycleStart: string, billId: string): Promise<number>;
}
