/**
 * The money of a generated postpaid order: its products and billing subscriptions (the order's
 * billing activity), a card on file, rated usage each cycle (usage ingestion), a bill per
 * account and closed cycle (the bill run's closeBillingCycle: the real bill computation), and
 * card payments as TMF676 takes them: most on time, some late, a few never (a card that declines).
 * A customer who leaves has their billing terminated that day and a last, prorated bill.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chargeCardOnce } from '../../activities/payments/charge-card';
import { SIMULATOR_CHARGE_DECLINED_LAST4 } from '../../activities/payments/gateway';
import { ingestUsageBatch, type IngestItem } from '../../activities/usage/ingest-usage';
import { accountBalance, bookAccountEntry } from '../../db/billing-ledger';
import { paymentModel } from '../../db/payment-models';
import { findCardOfCustomer } from '../../db/payments';
import { insertPaymentMethod } from '../../db/registrations';
import type { CompletedOrder } from '../../db/seeds/history';
import { insertTmfDocument, newTmfDocument } from '../../db/tmf-store';
import { cycleContaining, nextCycle, startOfDateIn, type BillCycle } from '../../domain/billing/cycle';
import { money } from '../../domain/money';
import { calendarDateIn } from '../../domain/time-zone';
import type { MoneyContext } from './context';
import { createActiveProducts } from './plan';
import { destination, instantsBetween, whole, type Random } from './random';
import { addMoney } from './summary';

const TIME_ZONE = 'Europe/Madrid';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MB = 1_048_576;

type Payer = 'onTime' | 'late' | 'never';
const PAYERS: Array<[Payer, number]> = [['onTime', 82], ['late', 13], ['never', 5]];

/** Stores a tokenised card for the customer: a simulator card that declines for those who never pay. */
async function cardOnFile(ctx: MoneyContext, customerId: string, payer: Payer, rnd: Random): Promise<void> {
  const last4 = payer === 'never' ? SIMULATOR_CHARGE_DECLINED_LAST4 : String(whole(rnd, 1000, 9999));
  await insertPaymentMethod(ctx.knex, {
    id: randomUUID(),
    type: 'card',
    holderName: `Customer ${customerId.slice(0, 8)}`,
    gatewayToken: `tok_sim_${last4}_${randomBytes(12).toString('hex')}`,
    brand: rnd.chance(0.6) ? 'visa' : 'mastercard',
    last4,
    expiryMonth: whole(rnd, 1, 12),
    expiryYear: 2028 + whole(rnd, 0, 4),
  }, { customerId });
}

/** Pays what the account owes now by card, as TMF676 POST /payment does: charged once, then the payment and its ledger entry in one transaction. */
async function payByCard(ctx: MoneyContext, order: CompletedOrder, key: string): Promise<void> {
  const { knex, clock, summary } = ctx;
  const owed = money(await accountBalance(knex, order.billingAccountId));
  if (owed.lte(0)) return;
  const amount = owed.toFixed(2);
  const card = (await findCardOfCustomer(knex, order.customerId))!;
  const outcome = await chargeCardOnce(ctx, {
    idempotencyKey: `payment:${key}`,
    customerId: order.customerId,
    purpose: 'billPayment',
    amount,
    currency: 'EUR',
    card,
    description: `Billing account ${order.billingAccountId}`,
  });
  if (outcome.status === 'declined') {
    summary.declinedPayments++;
    return;
  }
  const now = clock.now();
  const doc = newTmfDocument(paymentModel, {
    account: { id: order.billingAccountId, '@referredType': 'BillingAccount' },
    totalAmount: { unit: 'EUR', value: Number(amount) },
    paymentMethod: { id: card.id, name: `card ****${card.last4}`, '@referredType': 'BankCard' },
    correlatorId: key,
    authorizationCode: outcome.charge.gatewayChargeId ?? undefined,
    payer: { id: order.customerId, role: 'customer', '@referredType': 'Customer' },
    status: 'succeeded',
    statusDate: now.toISOString(),
    paymentDate: now.toISOString(),
  }, { now, publicUrl: ctx.publicUrl });
  await knex.transaction(async (trx) => {
    await insertTmfDocument(trx, paymentModel, doc, now);
    await bookAccountEntry(trx, {
      billingAccountId: order.billingAccountId,
      kind: 'payment',
      amount: money(amount).negated().toFixed(2),
      currency: 'EUR',
      reference: key,
      description: `Payment ${doc.id} by card ****${card.last4}`,
      bookedAt: now,
    });
  });
  summary.payments++;
  addMoney(summary, 'collected', amount);
}

/** A line's usage records over [from, to): calls, messages and data sessions, a few abroad; only of the types its plan prices. */
function usageOf(line: { msisdn: string; priced: Set<string> }, from: number, to: number, rnd: Random, serial: { n: number }): IngestItem[] {
  const { msisdn, priced } = line;
  const days = (to - from) / DAY;
  const items: IngestItem[] = [];
  const add = (usageType: string, at: number, quantity: string, to?: string) =>
    priced.has(usageType) &&
    items.push({ raw: { source: 'history', recordId: `${msisdn}:${serial.n++}`, msisdn, usageType, startTime: new Date(at).toISOString(), quantity, ...(to ? { destination: to } : {}) } });
  // Calls and messages one by one; data as the network's records of a session, a few a week.
  for (const at of instantsBetween(rnd, Math.round(days * rnd.between(0.1, 0.35)), from, to)) add('voice', at, String(whole(rnd, 15, 900)), destination(rnd, 0.04));
  for (const at of instantsBetween(rnd, Math.round(days * rnd.between(0.03, 0.15)), from, to)) add('sms', at, '1', destination(rnd, 0.08));
  for (const at of instantsBetween(rnd, Math.round(days * rnd.between(0.05, 0.2)), from, to)) add('data', at, String(whole(rnd, 50, 3000) * MB), undefined);
  return items;
}

/** Writes the postpaid money of a completed order. */
export async function writePostpaidMoney(ctx: MoneyContext, order: CompletedOrder, rnd: Random): Promise<void> {
  const { knex, clock, summary } = ctx;
  const end = order.end.getTime();
  const until = order.leftAt?.getTime() ?? end;
  clock.set(order.completedAt);
  const plan = await ctx.planOrder(order.offeringId, 'postpaid');
  const productIds = await createActiveProducts(knex, { orderId: order.orderId, customerId: order.customerId, plan, now: order.completedAt, publicUrl: ctx.publicUrl });
  const msisdns: Record<string, string> = {};
  const lines: Array<{ msisdn: string; priced: Set<string> }> = [];
  for (const p of plan.products) {
    if (p.serviceType !== 'mobile') continue;
    const { msisdn } = ctx.nextLine();
    msisdns[p.key] = msisdn;
    lines.push({ msisdn, priced: new Set(p.prices.filter((price) => price.priceType === 'usage').map((price) => String(price.usageType))) });
  }
  const { startDate } = await ctx.billing.startBillingSubscriptions({
    orderId: order.orderId,
    customerId: order.customerId,
    billingAccountId: order.billingAccountId,
    timeZone: TIME_ZONE,
    products: plan.products.map((p) => ({ productKey: p.key, productId: productIds[p.key], offeringId: p.offering.id, offeringVersion: p.offering.version, prices: p.prices, msisdn: msisdns[p.key], allowances: p.allowances })),
    oneTimeCharges: plan.nextBill,
  });
  summary.postpaidAccounts++;
  const payer = rnd.pick(PAYERS);
  await cardOnFile(ctx, order.customerId, payer, rnd);

  // Payments fall due after later bills may have been issued: each is made when its time comes.
  const payments: Array<{ at: number; key: string }> = [];
  const payDueBefore = async (t: number) => {
    while (payments.length && payments[0].at < t) {
      const { at, key } = payments.shift()!;
      clock.set(new Date(at));
      await payByCard(ctx, order, key);
    }
  };

  const serial = { n: 0 };
  let cycle: BillCycle = cycleContaining(startDate, 1);
  for (;;) {
    const cycleEnds = startOfDateIn(cycle.end, TIME_ZONE).getTime();
    const from = Math.max(startOfDateIn(cycle.start, TIME_ZONE).getTime(), order.completedAt.getTime());
    const to = Math.min(cycleEnds, until);
    if (to > from) {
      const items = lines.flatMap((line) => usageOf(line, from, to, rnd, serial));
      if (items.length) {
        await payDueBefore(to);
        clock.set(new Date(to));
        const outcomes = await ingestUsageBatch(knex, items, { source: 'history', now: clock.now() });
        const rejected = outcomes.filter((o) => o.result !== 'rated');
        if (rejected.length) throw new Error(`usage of ${order.billingAccountId} not rated: ${rejected[0].reason}`);
        summary.usageRecords += outcomes.length;
      }
    }
    const leaves = until < cycleEnds && until < end;
    if (leaves) {
      await payDueBefore(until);
      clock.set(new Date(until));
      await ctx.billingCycle.terminateAccountBilling({ billingAccountId: order.billingAccountId, endDate: calendarDateIn(TIME_ZONE, clock.now()), serviceIds: [] });
    }
    // The bill run closes a cycle in the first hours after it ends; a cycle not yet over is not billed.
    const closeAt = cycleEnds + Math.floor(rnd.between(1, 6) * HOUR);
    if (closeAt >= end) break;
    await payDueBefore(closeAt);
    clock.set(new Date(closeAt));
    const bill = await ctx.billRun.closeBillingCycle({ billingAccountId: order.billingAccountId, cycle });
    summary.bills++;
    addMoney(summary, 'billed', bill.totalCharges);
    if (payer !== 'never' || rnd.chance(0.5)) {
      // Those who never pay still try, now and then, with the card that declines.
      const days = payer === 'onTime' ? rnd.between(1, 13) : payer === 'late' ? rnd.between(16, 45) : rnd.between(3, 20);
      payments.push({ at: closeAt + Math.floor(days * DAY), key: `history:${bill.billId}` });
      payments.sort((a, b) => a.at - b.at);
    }
    if (leaves) break;
    cycle = nextCycle(cycle, 1);
  }
  await payDueBefore(end);
  const owed = money(await accountBalance(knex, order.billingAccountId));
  if (owed.gt(0)) {
    summary.owingAccounts++;
    addMoney(summary, 'outstanding', owed.toFixed(2));
  } else if (order.leftAt) {
    // A customer who left and owes nothing: the billing account is closed, as its billing cycle does (when the last bill is paid).
    await ctx.billingCycle.closeBillingAccount({ billingAccountId: order.billingAccountId });
    summary.closedAccounts++;
  }
}
