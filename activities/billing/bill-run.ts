/**
 * The bill run: the activities the billing cycle workflow (billing-<accountId>) calls to close a
 * cycle and to send its bill (BillRunActivities in ./types). Closing reads the account's
 * subscriptions, pending one-time charges, rated usage (through UsageForBilling) and ledger, and
 * in one transaction stores the bill, its lines, the charges it billed and its ledger entry.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { accountBalance, accountEntriesBetween, bookAccountEntry } from '../../db/billing-ledger';
import { accountWithCustomer, markOneTimeChargesBilled, pendingOneTimeCharges, subscriptionsForCycle } from '../../db/bill-inputs';
import { findBill, findBillForCycle, formatBillNo, insertBill, lockAccountForBilling, type BillRecord } from '../../db/bills';
import type { TmfDocument } from '../../db/tmf-resources';
import { computeBill } from '../../domain/billing/bill';
import { cycleContaining, nextCycle, startOfDateIn, type BillCycle } from '../../domain/billing/cycle';
import type { BillStatement, PostalAddress } from '../../domain/billing/statement';
import type { Clock } from '../../domain/clock';
import { calendarDateIn } from '../../domain/time-zone';
import type { SendNotificationInput, SendNotificationResult } from '../notifications';
import { resolveLanguage } from '../notifications/templates';
import { appliedRateDocuments, billIdFor, customerBillDocument } from './bill-documents';
import { sendBillEmail } from './send-bill';
import type { BillingSettings } from './settings';
import type { BillRunActivities, IssuedBill, UsageForBilling } from './types';

export interface BillRunDeps {
  knex: Knex;
  clock: Clock;
  publicUrl: string;
  /** Rated usage of the cycle (db/usage-billing in the usage domain). */
  usage: UsageForBilling;
  sendNotification(input: SendNotificationInput): Promise<SendNotificationResult>;
  settings: BillingSettings;
}

interface AccountView {
  id: string;
  billCycleDay: number;
  currency: string;
  timeZone: string;
  customerId: string;
  customerDoc?: TmfDocument;
}

function accountView(doc: TmfDocument): AccountView {
  const bs = (doc.billStructure ?? {}) as { billCycleDay?: number; currency?: string; timeZone?: string };
  const parties = (doc.relatedParty as Array<{ id: string; role?: string; '@referredType'?: string }> | undefined) ?? [];
  const customerId = parties.find((p) => p.role?.toLowerCase() === 'customer' || p['@referredType'] === 'Customer')?.id;
  if (!customerId) throw ApplicationFailure.nonRetryable(`billing account ${doc.id} has no customer`, 'BillingAccountInvalid');
  return { id: doc.id, billCycleDay: Number(bs.billCycleDay ?? 1), currency: bs.currency ?? 'EUR', timeZone: bs.timeZone ?? 'Europe/Madrid', customerId };
}

/** Who the bill is for, as the customer record says. */
function customerView(doc: TmfDocument | undefined, customerId: string): { customer: BillStatement['customer']; language: string } {
  const media = (doc?.contactMedium as Array<{ mediumType: string; characteristic?: Record<string, string> }> | undefined) ?? [];
  const postal = media.find((m) => m.mediumType === 'postalAddress')?.characteristic;
  const address: PostalAddress | undefined = postal ? { street: postal.street1, postCode: postal.postCode, city: postal.city, country: postal.country } : undefined;
  const email = media.find((m) => m.mediumType === 'email')?.characteristic?.emailAddress;
  const language = (doc?.characteristic as Array<{ name: string; value: string }> | undefined)?.find((c) => c.name === 'preferredLanguage')?.value;
  return {
    customer: { id: customerId, name: String(doc?.name ?? customerId), ...(address ? { address } : {}), ...(email ? { email } : {}) },
    language: resolveLanguage(language),
  };
}

const issued = (b: BillRecord): IssuedBill => ({
  billId: b.id,
  billNo: b.billNo,
  billingAccountId: b.billingAccountId,
  cycle: { start: b.cycleStart, end: b.cycleEnd },
  currency: b.currency,
  totalCharges: b.totalCharges,
  amountDue: b.amountDue,
  dueDate: b.dueDate,
});

const isUniqueViolation = (err: unknown): boolean => (err as { code?: string } | undefined)?.code === '23505';

/** The bill-run activities (closeBillingCycle, sendBill) over their dependencies. */
export function createBillRunActivities(deps: BillRunDeps): BillRunActivities {
  const { knex, clock, publicUrl, settings } = deps;

  async function loadAccount(billingAccountId: string): Promise<AccountView> {
    const found = await accountWithCustomer(knex, billingAccountId);
    if (!found) throw ApplicationFailure.nonRetryable(`billing account ${billingAccountId} does not exist`, 'BillingAccountNotFound');
    return { ...accountView(found.account), customerDoc: found.customer };
  }

  function throwIfNotACycleOf(account: AccountView, cycle: BillCycle): void {
    const expected = cycleContaining(cycle.start, account.billCycleDay);
    if (expected.start !== cycle.start || expected.end !== cycle.end) {
      throw ApplicationFailure.nonRetryable(
        `[${cycle.start}, ${cycle.end}) is not a cycle of billing account ${account.id} (bill cycle day ${account.billCycleDay})`,
        'NotABillCycle',
      );
    }
  }

  /** Issues the bill in one transaction, or returns the one another run issued first. */
  async function issue(account: AccountView, cycle: BillCycle, usage: Awaited<ReturnType<UsageForBilling['usageToBill']>>): Promise<BillRecord> {
    const now = clock.now();
    const cycleStartsAt = startOfDateIn(cycle.start, account.timeZone);
    const cycleEndsAt = startOfDateIn(cycle.end, account.timeZone);
    const today = calendarDateIn(account.timeZone, now);
    const issueDate = today > cycle.end ? today : cycle.end;
    const billId = billIdFor(account.id, cycle.start);
    const { customer, language } = customerView(account.customerDoc, account.customerId);

    return knex.transaction(async (trx) => {
      // One issuer per account at a time; the unique (account, cycle start) is the last word.
      const { nextBillNo: seq } = await lockAccountForBilling(trx, account.id);
      const existing = await findBillForCycle(trx, account.id, cycle.start);
      if (existing) return existing;

      const subscriptions = await subscriptionsForCycle(trx, account.id, cycle);
      const oneTimeCharges = await pendingOneTimeCharges(trx, account.id);
      const previousBalance = await accountBalance(trx, account.id, cycleStartsAt);
      const periodEntries = await accountEntriesBetween(trx, account.id, cycleStartsAt, cycleEndsAt);
      const computed = computeBill({
        cycle,
        currency: account.currency,
        subscriptions,
        oneTimeCharges,
        usage,
        previousBalance,
        periodEntries,
        issueDate,
        dueDays: settings.dueDays,
        defaultTaxRate: settings.defaultTaxRate,
      });
      const statement: BillStatement = { ...computed, billNo: formatBillNo(seq), billingAccountId: account.id, customer, language, currency: account.currency, timeZone: account.timeZone, cycle, issueDate };
      const ctx = { billId, publicUrl, now, nextCycleEnd: nextCycle(cycle, account.billCycleDay).end };
      await insertBill(trx, { id: billId, billNoSeq: seq, customerId: account.customerId, statement, dueDate: computed.dueDate, document: customerBillDocument(statement, ctx), lines: appliedRateDocuments(statement, ctx) }, now);
      await markOneTimeChargesBilled(trx, oneTimeCharges.map((c) => c.id), billId);
      // Booked within its own cycle (the last instant of it): the next bill's previous balance,
      // everything booked before its cycle starts, then includes this bill.
      await bookAccountEntry(trx, {
        billingAccountId: account.id,
        kind: 'bill',
        amount: computed.totals.charges,
        currency: account.currency,
        reference: `bill:${billId}`,
        billId,
        description: `Bill ${statement.billNo} for ${cycle.start} to ${cycle.end}`,
        bookedAt: new Date(cycleEndsAt.getTime() - 1),
      });
      return {
        id: billId,
        billNo: statement.billNo,
        billingAccountId: account.id,
        customerId: account.customerId,
        cycleStart: cycle.start,
        cycleEnd: cycle.end,
        issueDate,
        dueDate: computed.dueDate,
        currency: account.currency,
        totalCharges: computed.totals.charges,
        amountDue: computed.totals.amountDue,
        state: 'new',
        statement,
        hasPdf: false,
      };
    });
  }

  return {
    async closeBillingCycle({ billingAccountId, cycle }) {
      let bill = await findBillForCycle(knex, billingAccountId, cycle.start);
      if (!bill) {
        const account = await loadAccount(billingAccountId);
        throwIfNotACycleOf(account, cycle);
        const usage = await deps.usage.usageToBill(billingAccountId, cycle.start);
        try {
          bill = await issue(account, cycle, usage);
        } catch (err) {
          // Should a second issuer get past the lock (one that does not take it), the unique
          // (account, cycle start) refuses its bill: the first one stands.
          if (!isUniqueViolation(err)) throw err;
          bill = await findBillForCycle(knex, billingAccountId, cycle.start);
          if (!bill) throw err;
        }
      }
      // Also on a retry: a run that stopped after the commit finishes marking its usage.
      await deps.usage.markUsageBilled(billingAccountId, cycle.start, bill.id);
      return issued(bill);
    },

    async sendBill({ billId }) {
      const bill = await findBill(knex, billId);
      if (!bill) throw ApplicationFailure.nonRetryable(`bill ${billId} does not exist`, 'BillNotFound');
      await sendBillEmail({ knex, clock, publicUrl, settings, sendNotification: deps.sendNotification }, bill);
    },
  };
}
